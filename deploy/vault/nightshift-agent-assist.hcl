# Assist: the same sources as shadow, plus read-only database credentials for diagnosis.
path "nightshift/data/datasources/+/prometheus" { capabilities = ["read"] }
path "nightshift/data/datasources/+/alertmanager" { capabilities = ["read"] }
path "nightshift/data/datasources/+/loki" { capabilities = ["read"] }
path "nightshift/data/datasources/+/kubernetes" { capabilities = ["read"] }
path "nightshift/data/llm/inference" { capabilities = ["read"] }
path "database/creds/readonly" { capabilities = ["read"] }
path "aws/creds/*" { capabilities = ["deny"] }
