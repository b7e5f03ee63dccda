//! A response keeps the order of its selection set (the GraphQL spec's
//! "Response Format"), whatever order its fields finish in. async-graphql
//! 7.1 and 7.2 emit sibling fields in completion order; this is why it is
//! pinned to `=7.0.17` (docs/decisions/002-async-graphql-version-pin.md).

use crate::helpers::spawn_app;

/// The keys of the JSON object at the start of `text`'s `data`, in the
/// order they were written, one level deep.
fn keys_in_order(text: &str, object: &str) -> Vec<String> {
    let start = text.find(object).expect("the object") + object.len();
    let mut keys = Vec::new();
    let (mut depth, mut in_string, mut key, mut escaped) = (0i32, false, String::new(), false);
    let mut expect_key = true;
    for c in text[start..].chars() {
        if in_string {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => {
                    in_string = false;
                    if depth == 1 && expect_key {
                        keys.push(std::mem::take(&mut key));
                    }
                }
                _ => {
                    escaped = false;
                    if depth == 1 && expect_key {
                        key.push(c);
                    }
                }
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ':' if depth == 1 => expect_key = false,
            ',' if depth == 1 => expect_key = true,
            _ => {}
        }
    }
    keys
}

#[tokio::test]
async fn a_response_keeps_the_order_of_its_selection_set() {
    let app = spawn_app().await;
    let agent = app.create_agent("ordered").await;
    let goal = app.create_goal(&agent, "first").await;
    app.create_plan(&goal, "a plan").await;
    // Slow fields (lists that query the database, through loaders) before
    // quick ones (`__typename`, a column already read), at the root and
    // inside an object.
    let query = format!(
        r#"{{
            zLists: agents(first: 5) {{ nodes {{ goals {{ nodes {{ plans {{ totalCount }} }} }} }} }}
            one: agent(id: "{agent}") {{
                goals {{ totalCount nodes {{ plans {{ nodes {{ id }} }} }} }}
                updatedAt
                tasks {{ totalCount }}
                name
                __typename
                id
            }}
            aGoals: goals(first: 1) {{ totalCount }}
            __typename
        }}"#
    );
    let response = app.post(&query).send().await;
    let body = response.json();
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        keys_in_order(&response.text, r#""data":"#),
        ["zLists", "one", "aGoals", "__typename"]
    );
    assert_eq!(
        keys_in_order(&response.text, r#""one":"#),
        ["goals", "updatedAt", "tasks", "name", "__typename", "id"]
    );
}
