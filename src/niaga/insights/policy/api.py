from ninja import Router

router = Router(tags=["policy lab"])
