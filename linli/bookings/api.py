from ninja import Router

rooms_router = Router(tags=["rooms"])
bookings_router = Router(tags=["bookings"])
