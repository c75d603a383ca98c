"""The demo world of SPEC 7: Pingcheng district, its streets and communities, the
Nanguanfang compound with its organisations, and one account per role. Sits above every
domain app (it only calls their services)."""
