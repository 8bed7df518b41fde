# Shadow: the agent observes. Monitoring and log sources only; no LLM key leaves Vault for a
# shadow run unless the site grants it below, no database or cloud credentials.
path "nightshift/data/datasources/+/prometheus" { capabilities = ["read"] }
path "nightshift/data/datasources/+/alertmanager" { capabilities = ["read"] }
path "nightshift/data/datasources/+/loki" { capabilities = ["read"] }
path "nightshift/data/datasources/+/kubernetes" { capabilities = ["read"] }
path "nightshift/data/llm/inference" { capabilities = ["read"] }
path "database/creds/*" { capabilities = ["deny"] }
path "aws/creds/*" { capabilities = ["deny"] }
