"""`jigap issuer`: register issuers, issue offers, revoke, and print an issuer's public keys.

    jigap issuer create ORGANISATION [--alg EdDSA|ES256]
    jigap issuer issue ORGANISATION --type CARD_TYPE --holder @USER|ID (--claim NAME=VALUE ... | --claims-json FILE)
    jigap issuer revoke CREDENTIAL_ID [--suspend | --reinstate]
    jigap issuer jwks ORGANISATION

`issue` makes an offer and prints its deep link: the holder opens it in the chat and accepts. It refuses a
card type the organisation is not accredited for (platform admins grant that in the chat, /accredit). Exit status:
0 done, 1 refused (unknown organisation, invalid claims, ...), 2 usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.bootstrap import Services, open_runtime
from bot.config import load_config
from wallet.errors import ClaimsInvalid, UnknownCardType
from wallet.services import CardNotFound, NotAnIssuer, StatusChangeRefused, issuers, people, revocation
from wallet.services import offers as card_offers
from wallet.services.accreditation import NotAccredited
from wallet.status_list import CredentialStatus

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class IssuerCommandError(Exception):
    """Something the command cannot do, said in one line."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `issuer` on the jigap command line."""
    parser = subparsers.add_parser("issuer", help="issuers: create, issue, revoke, jwks",
                                   description="Manage credential issuers: keys, offers and revocation.")
    actions = parser.add_subparsers(dest="issuer_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="give an issuing organisation its signing key and status list")
    create.add_argument("organisation", help="the organisation's slug, e.g. road-authority")
    create.add_argument("--alg", choices=["EdDSA", "ES256"], default=None, help="key algorithm (default from [wallet])")
    issue = actions.add_parser("issue", help="offer a card to a holder; prints the link they open")
    issue.add_argument("organisation")
    issue.add_argument("--type", required=True, dest="card_type", help="card type, e.g. driver_license")
    issue.add_argument("--holder", required=True, help="@username or Telegram id (they must have started the bot)")
    issue.add_argument("--claim", action="append", default=[], metavar="NAME=VALUE", help="a claim (repeat)")
    issue.add_argument("--claims-json", type=Path, metavar="FILE", help="claims as a JSON object")
    revoke = actions.add_parser("revoke", help="revoke (or suspend, or reinstate) a credential")
    revoke.add_argument("credential", help="the credential id")
    choice = revoke.add_mutually_exclusive_group()
    choice.add_argument("--suspend", action="store_true", help="suspend instead of revoking for good")
    choice.add_argument("--reinstate", action="store_true", help="lift a suspension")
    jwks = actions.add_parser("jwks", help="print the issuer's public keys as a JWKS")
    jwks.add_argument("organisation")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    try:
        return asyncio.run(_run(config, args))
    except IssuerCommandError as error:
        sys.stderr.write(f"jigap issuer: {error}\n")
        return EXIT_REFUSED


async def _run(config: Any, args: argparse.Namespace) -> int:
    async with open_runtime(config) as services:
        action = {"create": _create, "issue": _issue, "revoke": _revoke, "jwks": _jwks}[args.issuer_command]
        return await action(services, args)


async def _organisation(services: Services, slug: str) -> Any:
    async with services.uow() as uow:
        organisation = await uow.organisations.get_by_slug(slug)
    if organisation is None or organisation.kind != "issuer":
        raise IssuerCommandError(f"there is no issuing organisation called {slug}")
    return organisation


async def _create(services: Services, args: argparse.Namespace) -> int:
    organisation = await _organisation(services, args.organisation)
    issuer, created = await issuers.ensure_issuer(services.wallet, organisation, args.alg)
    state = "created" if created else "already an issuer"
    sys.stdout.write(f"{organisation.name}: {state}\n  iss: {issuer.issuer_url}\n"
                     f"  keys: {services.config.public_url}/.well-known/jwt-vc-issuer/{issuer.slug}\n"
                     f"  status list: {services.wallet.status_uri(issuer.slug)}\n")
    return EXIT_OK


def _claims(args: argparse.Namespace) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    if args.claims_json is not None:
        try:
            loaded = json.loads(args.claims_json.read_text("utf-8"))
        except (OSError, ValueError) as error:
            raise IssuerCommandError(f"cannot read {args.claims_json}: {error}") from error
        if not isinstance(loaded, dict):
            raise IssuerCommandError(f"{args.claims_json} must hold a JSON object")
        claims.update(loaded)
    for pair in args.claim:
        name, sep, value = pair.partition("=")
        if not sep:
            raise IssuerCommandError(f"--claim {pair!r} is not NAME=VALUE")
        claims[name.strip()] = value.strip()
    return claims


async def _issue(services: Services, args: argparse.Namespace) -> int:
    organisation = await _organisation(services, args.organisation)
    holder = await people.find_user(services.wallet, args.holder)
    if holder is None:
        raise IssuerCommandError(f"no user {args.holder}: they must have started the bot first")
    try:
        offer = await card_offers.create_offer(services.wallet, org_id=organisation.id, card_type_id=args.card_type,
                                                   holder_id=holder.id, claims=_claims(args), photo=None,
                                                   created_by=None)
    except ClaimsInvalid as error:
        raise IssuerCommandError(f"the claims need fixing: {error}") from error
    except UnknownCardType as error:
        raise IssuerCommandError(f"there is no card type {error}") from error
    except NotAnIssuer as error:
        raise IssuerCommandError(f"{organisation.slug} has no keys yet: run jigap issuer create {organisation.slug}") from error
    except NotAccredited as error:
        raise IssuerCommandError(
            f"{organisation.slug} is not accredited to issue {args.card_type}: a platform admin grants it in the "
            f"chat with /accredit {organisation.slug} {args.card_type}") from error
    payload = f"offer_{offer.id}"
    username = services.config.bot.username
    how = f"https://t.me/{username}?start={payload}" if username else f"/start {payload} (in the chat with the bot)"
    sys.stdout.write(f"offer {offer.id} for {holder.display_name}, open until {offer.expires_at.isoformat()}\n"
                     f"  the holder opens: {how}\n")
    return EXIT_OK


async def _revoke(services: Services, args: argparse.Namespace) -> int:
    status = CredentialStatus.SUSPENDED if args.suspend else (
        CredentialStatus.VALID if args.reinstate else CredentialStatus.INVALID)
    try:
        card = await revocation.set_status(services.wallet, args.credential, status)
    except CardNotFound as error:
        raise IssuerCommandError(f"no credential {args.credential}") from error
    except StatusChangeRefused as error:
        raise IssuerCommandError(f"credential {args.credential} is revoked for good") from error
    sys.stdout.write(f"credential {card.id} ({card.card_type.id}, {card.issuer_name}) is now {card.record.status}\n")
    return EXIT_OK


async def _jwks(services: Services, args: argparse.Namespace) -> int:
    organisation = await _organisation(services, args.organisation)
    document = await issuers.issuer_metadata(services.wallet, organisation.slug)
    if document is None:
        raise IssuerCommandError(f"{organisation.slug} has no keys yet: run jigap issuer create {organisation.slug}")
    sys.stdout.write(json.dumps(document["jwks"], indent=2) + "\n")
    return EXIT_OK
