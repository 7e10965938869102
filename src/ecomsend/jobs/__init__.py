"""Background jobs: the `JobQueue` port, its two adapters, periodic jobs and the sweeper.

- `LocalQueue` (embedded default): jobs in the app's own SQLite database, run in-process.
- `ProcrastinateQueue` (scale-out): procrastinate workers on PostgreSQL, any number of them.
"""
