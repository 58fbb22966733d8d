"""Background jobs (imports): a huey task queue, its state per job, the `tracker worker`."""
