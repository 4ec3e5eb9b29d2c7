"""How long a comment's request context, and a stranger's mail, is kept in full.

The address and user agent a comment came with serve spam checks and abuse reports,
which happen within days. After ``PORCH_ADDRESS_RETENTION_DAYS`` the address is cut to
its network (IPv4 /24, IPv6 /48, written with its prefix: ``203.0.113.0/24``), enough to
see that comments came from one place, and the user agent goes. A network is never cut
again, so each comment is changed once. A message received at the inbound address that
published nothing keeps its outcome, but not who sent it or why it was refused (the
reason may name the sender) once it is as old. Nothing here commits or touches Flask
globals.
"""

import ipaddress
from datetime import datetime

from sqlalchemy import and_, or_, select, update

from comments_service.extensions import db
from comments_service.models import Comment, InboundMail

PREFIX_LENGTH = {4: 24, 6: 48}


def network_of(address: str | None) -> str | None:
    """The address's network, or None when it is no address at all (an import's garbage)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    network = ipaddress.ip_network(f"{ip}/{PREFIX_LENGTH[ip.version]}", strict=False)
    return str(network)


def is_full_address(address: str | None) -> bool:
    """An address as the comment came with it: not yet cut to its network."""
    return bool(address) and "/" not in address


def still_in_full(before: datetime):
    """Comments older than ``before`` whose address or user agent is still kept whole."""
    whole_address = and_(Comment.remote_addr.is_not(None), Comment.remote_addr.not_like("%/%"))
    return select(Comment).where(
        Comment.created_at < before, or_(whole_address, Comment.user_agent.is_not(None))
    )


def prune_addresses(before: datetime) -> int:
    """Cut the addresses of comments older than ``before`` to networks, drop their user
    agents; return how many comments changed."""
    changed = 0
    for comment in db.session.scalars(still_in_full(before).execution_options(yield_per=500)):
        if is_full_address(comment.remote_addr):
            comment.remote_addr = network_of(comment.remote_addr)
        comment.user_agent = None
        changed += 1
    return changed


def forget_unpublished_senders(before: datetime) -> int:
    """Blank the sender and reason of received messages older than ``before`` that
    published nothing (a forged From is a stranger's address); return how many."""
    result = db.session.execute(
        update(InboundMail)
        .where(
            InboundMail.received_at < before,
            InboundMail.answer_id.is_(None),
            InboundMail.sender != "",
        )
        .values(sender="", reason=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
