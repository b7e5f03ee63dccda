//! The client sends back the last `X-Consistency-Token` it received, against
//! a stand-in server (a thread on 127.0.0.1) that answers like agentgraph
//! with read replicas: a token on each mutation, none on a query.
// The stand-in's helpers fail the test with `expect` like the test itself.
#![allow(clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use agentgraph_client::{Client, create_agent};
use uuid::Uuid;

const AGENT_ID: &str = "00000000-0000-0000-0000-000000000001";

/// The token each request carried, in order.
type Seen = Arc<Mutex<Vec<Option<String>>>>;

fn start() -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/graphql", listener.local_addr().expect("address"));
    let seen = Seen::default();
    let writes = Arc::new(Mutex::new(0_u32));
    let (seen_by_server, writes_by_server) = (seen.clone(), writes.clone());
    thread::spawn(move || {
        for stream in listener.incoming() {
            let (seen, writes) = (seen_by_server.clone(), writes_by_server.clone());
            thread::spawn(move || serve(stream.expect("accept"), &seen, &writes));
        }
    });
    (url, seen)
}

/// Answers every request on one kept-alive connection until the client
/// closes it.
fn serve(stream: TcpStream, seen: &Seen, writes: &Mutex<u32>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut stream = stream;
    loop {
        let (mut length, mut token) = (0, None);
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            reader.read_line(&mut line).expect("header");
            let Some((name, value)) = line.trim_end().split_once(':') else {
                break;
            };
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().expect("length"),
                "x-consistency-token" => token = Some(value.trim().to_owned()),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("body");
        seen.lock().expect("seen").push(token);
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        // The operation's file starts with comments, which are sent too.
        let is_write = body["query"].as_str().is_some_and(|q| {
            q.lines()
                .map(str::trim_start)
                .find(|line| !line.is_empty() && !line.starts_with('#'))
                .is_some_and(|line| line.starts_with("mutation"))
        });
        let agent = serde_json::json!({
            "id": AGENT_ID, "did": "did:example:scout", "name": "scout", "status": "ACTIVE",
            "configuration": {}, "version": 1, "updatedAt": "2026-01-01T00:00:00Z",
        });
        let (data, header) = if is_write {
            let mut writes = writes.lock().expect("writes");
            *writes += 1;
            let header = format!("X-Consistency-Token: 0/16B37{writes}0\r\n");
            (serde_json::json!({ "createAgent": agent }), header)
        } else {
            (serde_json::json!({ "agent": agent }), String::new())
        };
        let json = serde_json::json!({ "data": data }).to_string();
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{header}content-length: {}\r\n\r\n{json}",
            json.len()
        );
        stream.write_all(response.as_bytes()).expect("write");
    }
}

fn input() -> create_agent::CreateAgentInput {
    create_agent::CreateAgentInput {
        name: "scout".into(),
        did: None,
        status: None,
        configuration: None,
        metadata: None,
        idempotency_key: None,
    }
}

fn seen(seen: &Seen) -> Vec<Option<String>> {
    seen.lock().expect("seen").clone()
}

#[tokio::test]
async fn the_last_token_goes_back_on_every_request() {
    let (url, requests) = start();
    let id: Uuid = AGENT_ID.parse().expect("uuid");
    let client = Client::new(&url, None).expect("client");
    let token = |t: &str| Some(t.to_owned());

    client.get_agent(id).await.expect("read");
    assert_eq!(seen(&requests), [None], "nothing to send before a write");
    assert_eq!(client.consistency_token(), None);

    client.create_agent(input()).await.expect("write");
    assert_eq!(client.consistency_token(), token("0/16B3710"));
    client.get_agent(id).await.expect("read");
    client.get_agent(id).await.expect("read");
    assert_eq!(
        seen(&requests)[2..],
        [token("0/16B3710"), token("0/16B3710")],
        "sent back, and kept across a read that carried none"
    );

    let clone = client.clone();
    clone.create_agent(input()).await.expect("write");
    assert_eq!(seen(&requests)[4], token("0/16B3710"));
    assert_eq!(
        client.consistency_token(),
        token("0/16B3720"),
        "a clone is the same client"
    );

    let seeded = Client::new(&url, None)
        .expect("client")
        .with_consistency_token("0/16B3720")
        .expect("a valid token");
    seeded.get_agent(id).await.expect("read");
    assert_eq!(
        seen(&requests)[5],
        token("0/16B3720"),
        "a seeded token is sent"
    );

    let persisted = Client::new(&url, None)
        .expect("client")
        .with_persisted_queries(true)
        .with_consistency_token("0/16B3720")
        .expect("a valid token");
    // The stand-in knows no hashes but answers anyway: one request.
    persisted.get_agent(id).await.expect("read");
    assert_eq!(seen(&requests)[6], token("0/16B3720"), "and by hash");

    assert!(
        Client::new(&url, None)
            .expect("client")
            .with_consistency_token("a\nb")
            .is_err(),
        "a token that is no header value is refused"
    );
}
