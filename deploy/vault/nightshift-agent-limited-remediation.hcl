# Limited remediation: as assist. Writes never use the agent's credentials: they go through the
# api-server's executor identity, after approval.
path "nightshift/data/datasources/+/prometheus" { capabilities = ["read"] }
path "nightshift/data/datasources/+/alertmanager" { capabilities = ["read"] }
path "nightshift/data/datasources/+/loki" { capabilities = ["read"] }
path "nightshift/data/datasources/+/kubernetes" { capabilities = ["read"] }
path "nightshift/data/llm/inference" { capabilities = ["read"] }
path "database/creds/readonly" { capabilities = ["read"] }
path "aws/creds/readonly" { capabilities = ["read"] }
