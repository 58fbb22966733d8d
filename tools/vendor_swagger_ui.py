"""Vendor Swagger UI from an unpacked `npm pack swagger-ui-dist` into tracker/static.

Usage: python tools/vendor_swagger_ui.py path/to/package

Copies the bundle, the licence and the notice, and rewrites swagger-ui.css so that its
inline `data:` images become files beside it: the Content-Security-Policy allows images
from our own origin only (img-src 'self'), and the CSS is otherwise unchanged.
"""

import base64
import hashlib
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote

TARGET = Path(__file__).resolve().parents[1] / "tracker" / "static" / "vendor" / "swagger-ui"
DATA_URL = re.compile(r"""url\((["']?)data:([a-z]+/[a-z0-9.+-]+)((?:;[^,;]*)*),(.*?)\1\)""")
EXTENSIONS = {
    "image/svg+xml": ".svg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/jpeg": ".jpg",
}


def extract_images(css: str, folder: Path) -> str:
    """Write each data: image to img/<sha256 prefix><ext> and point the CSS at it."""
    folder.mkdir(parents=True, exist_ok=True)

    def replace(match: re.Match[str]) -> str:
        mime, params, payload = match.group(2), match.group(3), match.group(4)
        data = base64.b64decode(payload) if ";base64" in params else unquote(payload).encode()
        name = hashlib.sha256(data).hexdigest()[:16] + EXTENSIONS.get(mime, ".bin")
        (folder / name).write_bytes(data)
        return f'url("img/{name}")'

    return DATA_URL.sub(replace, css)


def main(package: Path) -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in ("swagger-ui-bundle.js", "LICENSE", "NOTICE"):
        shutil.copyfile(package / name, TARGET / name)
    shutil.rmtree(TARGET / "img", ignore_errors=True)
    css = (package / "swagger-ui.css").read_text(encoding="utf-8")
    rewritten = extract_images(css, TARGET / "img")
    (TARGET / "swagger-ui.css").write_text(rewritten, encoding="utf-8")
    left = rewritten.count("data:")
    print(f"vendored into {TARGET}; data: URLs left in the CSS: {left}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
