"""The two HTTP endpoints that set and clear the sign-in cookie (mounted by dashboard.py's st.App).

A Streamlit script talks to the browser over a websocket and cannot answer with a Set-Cookie
header; Streamlit's st.App serves extra routes beside the app, and these are ours:

- POST /api/session, form field `code`: the one-time code the sign-in form gave the page;
  answers 204 with the HttpOnly session cookie, or 403 when the code is unknown, used or late.
- POST /api/session/end, form field `sid`: the page forgets that session (sign-out, or a cookie
  that no longer signs in): when the cookie names it, or is not valid at all, the session ends
  and the cookie is cleared; a valid cookie of a newer sign-in (another tab) is left alone.

Without a users file (local mode) there is no sign-in, and both answer 404.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service_quality import accounts
from service_quality.sessions import COOKIE_NAME, SessionStore

SIGN_IN_PATH = "/api/session"
SIGN_OUT_PATH = "/api/session/end"
# Sent by the page's own script. Another site's form cannot add a header, and its script cannot
# either without a CORS preflight this server never grants: no cross-site sign-in or sign-out.
HEADER = "X-Dashboard-Session"
# Set when dashboard.py mounts the routes: the sign-in form only hands over a cookie when someone
# will take it (plain `streamlit run dashboard.py` keeps each sign-in to its tab).
MOUNTED = False


def _store() -> SessionStore | None:
    path = accounts.users_path()
    return SessionStore(path.parent) if path is not None else None


def _secure(request: Request) -> bool:
    # Behind a TLS proxy the app sees http; the proxy says what the browser used.
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _cookie_args(request: Request) -> dict:
    return {"key": COOKIE_NAME, "path": "/", "httponly": True, "samesite": "strict",
            "secure": _secure(request)}


def _refused(request: Request) -> Response | None:
    if _store() is None:
        return JSONResponse({"error": "no sign-in in local mode"}, status_code=404)
    if request.headers.get(HEADER) != "1":
        return JSONResponse({"error": f"the {HEADER} header is missing"}, status_code=403)
    return None


async def start(request: Request) -> Response:
    """Trade the sign-in form's one-time code for the session cookie."""
    refused = _refused(request)
    if refused is not None:
        return refused
    store = _store()
    form = await request.form()
    issued = await run_in_threadpool(store.redeem, str(form.get("code") or ""))
    if issued is None:
        return JSONResponse({"error": "unknown, used or expired code"}, status_code=403)
    value, max_age = issued
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(value=value, max_age=max_age, **_cookie_args(request))
    return response


async def end(request: Request) -> Response:
    """Forget session `sid`: end it and clear the cookie, unless the cookie is another's."""
    refused = _refused(request)
    if refused is not None:
        return refused
    store = _store()
    form = await request.form()
    cookie = request.cookies.get(COOKIE_NAME)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    if cookie and await run_in_threadpool(store.forget, cookie, str(form.get("sid") or "")):
        args = _cookie_args(request)
        response.delete_cookie(args.pop("key"), **args)
    return response


def routes() -> list[Route]:
    """The routes for st.App(routes=…); the sign-in form hands cookies over from now on."""
    global MOUNTED
    MOUNTED = True
    return [Route(SIGN_IN_PATH, start, methods=["POST"]),
            Route(SIGN_OUT_PATH, end, methods=["POST"])]
