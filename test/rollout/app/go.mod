module gracekeeper.local/rollout-app

go 1.21
