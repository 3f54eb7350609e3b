"""Root API router, mounted at `API_V1_PREFIX` by `create_app()`.

Feature routers are imported and included here; polepos adds its lines above
the `polepos:` marker comments, so keep those comments in place.
"""

from fastapi import APIRouter

from shop.auth.router import router as auth_router
from shop.modules.status.router import router as status_router

# polepos:router-imports

api_router = APIRouter()

api_router.include_router(status_router, tags=["status"])
api_router.include_router(auth_router, prefix="/auth", tags=["auth"])
# polepos:router-includes
