# The api-server: it mints one token per worker attempt from the phase's token role and revokes
# them by accessor. It reads no secret itself.
path "auth/token/create/nightshift-shadow" { capabilities = ["create", "update"] }
path "auth/token/create/nightshift-assist" { capabilities = ["create", "update"] }
path "auth/token/create/nightshift-limited-remediation" { capabilities = ["create", "update"] }
path "auth/token/create/nightshift-autonomous" { capabilities = ["create", "update"] }
path "auth/token/revoke-accessor" { capabilities = ["update"] }
