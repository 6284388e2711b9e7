"""Look-alikes that are not ORM writes: never imported, only parsed."""

import hashlib


def view(request, image, buffer):
    data = {}
    data.update(a=1)
    seen = set()
    seen.add(1)
    seen.clear()
    items = [1]
    items.remove(1)
    digest = hashlib.sha256()
    digest.update(b"x")
    image.save(buffer, format="PNG")
    request.session.set_expiry(0)
    return data, digest
