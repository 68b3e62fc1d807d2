"""Who is knocking: the client address of a request, the one every per-client limit (rates, the PIN
throttle) is keyed by. It is the socket peer, unless the peer is one of the deployment's trusted
proxies (`TRUSTED_PROXIES`, IPs or CIDRs, none by default): then it is the right-most address in
`X-Forwarded-For` that is not itself a trusted proxy, the last hop an honest proxy saw. Everything to
its left was written by the client and is ignored, so nobody picks their own address by sending the
header. IPv6 clients are keyed by their /64, the block one subscriber gets."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=16)
def trusted_networks(raw: str) -> tuple[Network, ...]:
    """ "10.0.0.0/8, 127.0.0.1" -> networks; a malformed entry is a deployment error and raises."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in raw.split(",") if item.strip())


def _address(text: str) -> Address | None:
    """An address as proxies write it: bare, "[v6]:port", or "v4:port"."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in net for net in networks)


def resolve(peer: str, forwarded_for: list[str], networks: tuple[Network, ...]) -> str:
    """The client address given the socket peer and the `X-Forwarded-For` header lines, in order."""
    if not networks or not _trusted(_address(peer), networks):
        return peer
    hops = [hop for line in forwarded_for for hop in line.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage left of a trusted hop was written by the client: the last good hop stands
        client = str(address)
        if not _trusted(address, networks):
            break
    return client


def client_address(request, trusted_proxies: str) -> str:
    """The client of a Starlette/FastAPI request, given the `TRUSTED_PROXIES` setting."""
    peer = request.client.host if request.client else ""
    return resolve(peer, request.headers.getlist("x-forwarded-for"), trusted_networks(trusted_proxies))


def client_key(client: str) -> str:
    """What limits count by: the address, an IPv6 address's /64, or a channel's own id as given
    ("line:U123..."), which is not an address."""
    address = _address(client) if client else None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address) if address is not None else client or "?"
