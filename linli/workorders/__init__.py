"""Resident issues and work orders (民情工单): categories, filing, the lifecycle as an
explicit state machine, time limits on the official calendar, the timeline."""
