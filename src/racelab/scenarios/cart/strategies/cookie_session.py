"""Flask's default session: the whole cart in a signed cookie (``session["cart"] = cart + [item]``).

**Mechanism.** ``SecureCookieSessionInterface`` serialises the session, signs it with the app's
secret key and sends it back in ``Set-Cookie``; the browser returns it with every request. The
server stores nothing: the cart *is* the cookie. A view reads ``session.get("cart", [])``,
appends the item and assigns the list back; Flask writes the new cookie into the answer.

**Why it fails, even one request at a time.** The client's overlapping requests all carry the
cookie it held when it sent them: the same cart. Each answer's cookie holds that cart plus its
own item, and the browser keeps the cookie of the answer it received last. Of five items added at
once, one survives. No server-side lock can help: the race is between copies of the cart that
travel in requests, and the server never sees them side by side. The signature protects the cart
from being forged, not from being overwritten by an older copy.

**Also.** A cookie holds about 4 KB, and behind nginx less: nginx reads an answer's headers
into a 4 KB buffer and answers ``502`` ("upstream sent too big header") when a fat ``Set-Cookie``
overflows it. A large cart no longer fits (``409 cookie_full`` here, before either limit; a
browser silently drops an oversized cookie). Anything in the cookie is readable by the user
(signed, not encrypted).

**Cost.** No store at all, and a larger request and answer.

**Anomalies:** lost items (acknowledged, then missing from the cart the client holds).
"""

from racelab.scenarios.cart.stores import SessionCart

STRATEGY = SessionCart("cookie-session", "Flask's signed-cookie session: the whole cart in the cookie")
