# Shared by bench/ab.sh and bench/peer.sh (sourced): agentgraph's Q2 tree
# seeded through its own API at $URL.

gql() { curl -s -X POST "$URL" -H 'content-type: application/json' --data-binary "$1"; }

# Seeds the Q2 tree; sets AGENT and PLAN.
seed() {
  local agents goal_doc i
  PLAN=""
  local agent_doc="mutation {"
  for i in $(seq 0 19); do
    agent_doc+=" a$i: createAgent(input: { name: \"bench agent $i\", configuration: { max_tokens: 500 } }) { id }"
  done
  agents="$(gql "$(jq -cn --arg q "$agent_doc }" '{query: $q}')" | jq -r '.data[].id')"
  goal_doc='mutation($a: UUID!) {'
  for i in 0 1 2 3 4; do
    goal_doc+=" g$i: createGoal(input: { agentId: \$a, description: \"bench goal $i\", plans: [{ description: \"p0\", tasks: [{ description: \"t\" }, { description: \"t\" }, { description: \"t\" }, { description: \"t\" }, { description: \"t\" }] }, { description: \"p1\", tasks: [{ description: \"t\" }, { description: \"t\" }, { description: \"t\" }, { description: \"t\" }, { description: \"t\" }] }] }) { id plans { nodes { id } } }"
  done
  goal_doc+=' }'
  for AGENT in $agents; do
    PLAN="$(gql "$(jq -cn --arg q "$goal_doc" --arg a "$AGENT" '{query: $q, variables: {a: $a}}')" | jq -r '.data.g0.plans.nodes[0].id')"
  done
  [[ -n "$PLAN" && "$PLAN" != null ]]
}
