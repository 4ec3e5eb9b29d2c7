"""A real IMAP server for mail tests: a private Dovecot on 127.0.0.1.

Debian's dovecot-imapd (scripts/install-imap-server.sh) runs as the current user with a
config of its own in a temporary folder: its sockets, state, log and mail stay there, and
the system's Dovecot (if any) is never touched. Started by root, Dovecot runs its login
and mail processes as other users (it refuses root for them): dovenull, and nobody.

It listens for plain IMAP (with STARTTLS) and for IMAPS, with a certificate for 127.0.0.1
and localhost signed by a CA made for the test.
"""

import getpass
import grp
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from imap_tools import MailBoxUnencrypted

from .browser_support import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
INSTALL_HINT = "Dovecot or openssl is missing: run scripts/install-imap-server.sh and try again."
HOST = "127.0.0.1"

CONFIG = """\
protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
{users}first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
  }}
}}
"""


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int  # plain IMAP, STARTTLS offered
    tls_port: int  # IMAPS
    user: str
    password: str
    ca_file: Path  # trusts the server's certificate

    def url(self, folder: str = "INBOX", *, password: str | None = None, tls=False) -> str:
        """PORCH_IMAP_URL for this account: imap://, or imaps:// by the certificate's name."""
        secret = quote(password or self.password, safe="")
        where = f"localhost:{self.tls_port}" if tls else f"{self.host}:{self.port}"
        return f"{'imaps' if tls else 'imap'}://{quote(self.user)}:{secret}@{where}/{folder}"

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def mailbox(self) -> MailBoxUnencrypted:
        """A connection of the test's own, signed in, no folder selected."""
        return MailBoxUnencrypted(self.host, self.port, timeout=10).login_utf8(
            self.user, self.password, initial_folder=None
        )


class Dovecot:
    def __init__(self):
        # Not in pytest's folders: their parents let no other user through.
        self.root = Path(tempfile.mkdtemp(prefix="porch-dovecot-"))
        self.root.chmod(0o711)
        self.port = free_port()
        self.tls_port = free_port()
        self._process: subprocess.Popen | None = None

    def start(self, within: float = 15) -> "Dovecot":
        if not os.access(DOVECOT, os.X_OK) or not shutil.which("openssl"):
            pytest.fail(INSTALL_HINT, pytrace=False)
        mail_user = _mail_user()
        for folder in ("run", "state", "mail", "home"):
            (self.root / folder).mkdir()
        for folder in ("mail", "home"):
            os.chown(self.root / folder, mail_user.pw_uid, mail_user.pw_gid)
        (self.root / "users").write_text("")
        write_certificates(self.root)
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                host=HOST,
                root=self.root,
                port=self.port,
                tls_port=self.tls_port,
                users=_service_users(),
                uid=mail_user.pw_uid,
                gid=mail_user.pw_gid,
            )
        )
        with open(self.root / "stderr.log", "wb") as stderr:
            self._process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        self._wait_for(self.port, within)
        self._wait_for(self.tls_port, within)
        return self

    def add_account(self, user: str, password: str) -> ImapAccount:
        """A user with an empty mailbox (Dovecot reads its passwd-file again when it changes)."""
        with open(self.root / "users", "a", encoding="utf-8") as users:
            users.write(f"{user}:{password}\n")
        return ImapAccount(HOST, self.port, self.tls_port, user, password, self.root / "ca.pem")

    def log(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")
            for path in (self.root / "stderr.log", self.root / "dovecot.log")
            if path.exists()
        )

    def stop(self) -> None:
        """Stop Dovecot and the processes it started (one process group); remove its folder."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)

    def _wait_for(self, port: int, within: float) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise AssertionError(f"dovecot exited early:\n{self.log()}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"dovecot did not listen on {port} in time:\n{self.log()}")


def _mail_user() -> pwd.struct_passwd:
    return pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())


def _service_users() -> str:
    """Started by root, Dovecot's own processes run as its users (dovecot, dovenull);
    else everything runs as the current user."""
    if os.getuid() == 0:
        return ""
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    return (
        f"default_internal_user = {user}\ndefault_internal_group = {group}\n"
        f"default_login_user = {user}\n"
    )


def write_certificates(folder: Path) -> None:
    """ca.pem, and server.pem/server.key for 127.0.0.1 and localhost signed by it (openssl)."""
    ec_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc"]
    _openssl(
        folder,
        *("req", "-x509", *ec_key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2"),
        *("-subj", "/CN=Porch test CA", "-addext", "basicConstraints=critical,CA:TRUE"),
        *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
    )
    _openssl(
        folder,
        *("req", *ec_key, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"),
        *("-addext", f"subjectAltName=DNS:localhost,IP:{HOST}"),
    )
    _openssl(
        folder,
        *("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-copy_extensions", "copy", "-out", "server.pem", "-days", "2"),
    )


def _openssl(folder: Path, *arguments: str) -> None:
    subprocess.run(["openssl", *arguments], cwd=folder, check=True, capture_output=True)
