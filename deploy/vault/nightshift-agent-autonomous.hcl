# Autonomous: the same reads as limited remediation; autonomy is in the action policy, not in
# wider credentials.
path "nightshift/data/datasources/+/prometheus" { capabilities = ["read"] }
path "nightshift/data/datasources/+/alertmanager" { capabilities = ["read"] }
path "nightshift/data/datasources/+/loki" { capabilities = ["read"] }
path "nightshift/data/datasources/+/kubernetes" { capabilities = ["read"] }
path "nightshift/data/llm/inference" { capabilities = ["read"] }
path "database/creds/readonly" { capabilities = ["read"] }
path "aws/creds/readonly" { capabilities = ["read"] }
