"""Root API router with its markers deleted by hand."""

from fastapi import APIRouter

from shop.modules.status.router import router as status_router

api_router = APIRouter()

api_router.include_router(status_router, tags=["status"])
