"""python -m services.devissuer --realm-file deploy/keycloak/brobygger-realm.json [--port 8180]"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from services.devissuer.errors import ENV_VAR, DevelopmentOnlyError, require_development

EXIT_REFUSED = 2


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m services.devissuer",
        description="Development-only stand-in for Keycloak, serving the realm file's clients and users. "
                    f"Refuses to start unless {ENV_VAR}=development.",
    )
    parser.add_argument("--realm-file", default="deploy/keycloak/brobygger-realm.json",
                        help="Keycloak realm export to serve (default: %(default)s)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8180, help="port to listen on (default: %(default)s)")
    parser.add_argument("--public-url", default=None,
                        help="base URL the issuer names itself by, e.g. http://localhost:8180 "
                             "(default: the listening address)")
    parser.add_argument("--key-file", default=None,
                        help="PEM RSA private key: loaded if present, created if absent, so restarts keep "
                             "the key and issued tokens stay valid (default: a fresh key each start)")
    parser.add_argument("--log-level", default=os.environ.get("BROBYGGER_LOG_LEVEL", "INFO"),
                        choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        require_development()
    except DevelopmentOnlyError as exc:
        print(f"devissuer: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from services.devissuer.app import start
    from services.devissuer.realm import RealmFileError
    from services.devissuer.redirects import RedirectUriError

    try:
        running = start(args.realm_file, args.host, args.port, public_url=args.public_url,
                        key_file=args.key_file, background=False)
    except (RealmFileError, RedirectUriError) as exc:
        print(f"devissuer: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"devissuer: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1

    def _terminate(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    issuer = running.issuer
    logging.getLogger("services.devissuer").info(
        "development issuer %s listening on %s (signing kid %s)", issuer.issuer, running.url, issuer.signing_key.kid)
    try:
        running.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
