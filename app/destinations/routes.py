from fastapi import APIRouter

router = APIRouter(prefix="/destinations", tags=["destinations"])
