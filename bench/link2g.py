"""A rural-2G-like link between two network namespaces (needs root: ip, tc, nft).

  ck-kit-<pid> (10.77.0.1) ==veth== ck-hub-<pid> (10.77.0.2)
Each side's egress is shaped to `rate_kbit` with tbf, and nftables drops `loss_pct` % of
packets leaving each side (`numgen random mod 100 < N drop`) and counts what is sent and
received on the kit's side: IP bytes before the shaper, headers and retransmissions
included. tc's own count on the kit's egress (shaper_sent) is what crossed the link.
Latency is added by bench.relay (the kernel here has no netem).
The namespaces are named after this process, so a bench and a test suite (or two
benches) can run at once; ones left by a killed run are removed by the next setup().
"""

import json
import os
import re
import subprocess

PREFIX = "ck-"
KIT_NS, HUB_NS = f"{PREFIX}kit-{os.getpid()}", f"{PREFIX}hub-{os.getpid()}"
KIT_IF, HUB_IF = "ck-k0", "ck-h0"
KIT_IP, HUB_IP = "10.77.0.1", "10.77.0.2"


def _run(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=30)


def _ns(ns, *argv, check=True):
    return _run("ip", "netns", "exec", ns, *argv, check=check)


def teardown(names=(KIT_NS, HUB_NS)):
    """Remove the namespaces (and with them the veth pair, qdiscs and rules)."""
    for ns in names:
        _run("ip", "netns", "del", ns, check=False)


def _remove_orphans():
    """Delete namespaces this module made in runs whose process is gone (killed before teardown)."""
    listed = _run("ip", "netns", "list", check=False).stdout
    for ns, pid in re.findall(rf"^({PREFIX}(?:kit|hub)-(\d+))\b", listed, re.M):
        if not os.path.exists(f"/proc/{pid}"):
            teardown([ns])


def setup(rate_kbit=100, loss_pct=1):
    """Create both namespaces, the veth pair, the shaping and the drop/count rules."""
    _remove_orphans()
    teardown()
    try:
        _build(rate_kbit, loss_pct)
    except BaseException:  # half made: remove it, the caller's finally is not reached yet
        teardown()
        raise


def _build(rate_kbit, loss_pct):
    _run("ip", "netns", "add", KIT_NS)
    _run("ip", "netns", "add", HUB_NS)
    _run(
        "ip", "link", "add", KIT_IF, "netns", KIT_NS, "type", "veth", "peer", "name", HUB_IF, "netns", HUB_NS
    )
    for ns, dev, ip in ((KIT_NS, KIT_IF, KIT_IP), (HUB_NS, HUB_IF, HUB_IP)):
        _ns(ns, "ip", "addr", "add", f"{ip}/24", "dev", dev)
        # One segment per packet, as on a modem link: with GSO, TCP hands tbf 64 KB chunks
        # that its 14 KB queue refuses whole and TCP sends again (counted twice by nftables).
        _ns(ns, "ip", "link", "set", dev, "gso_max_segs", "1")
        _ns(ns, "ip", "link", "set", dev, "up")
        _ns(ns, "ip", "link", "set", "lo", "up")
        # burst of one full frame; a 1 s queue, like a modem's buffer.
        _ns(
            ns,
            "tc",
            "qdisc",
            "add",
            "dev",
            dev,
            "root",
            "tbf",
            "rate",
            f"{rate_kbit}kbit",
            "burst",
            "1600",
            "latency",
            "1s",
        )
        _rules(ns, dev, loss_pct)


def _rules(ns, dev, loss_pct):
    script = f"""
table inet ck {{
  chain out {{
    type filter hook output priority 0; policy accept;
    oifname "{dev}" numgen random mod 100 < {loss_pct} counter drop
    oifname "{dev}" counter
  }}
  chain in {{
    type filter hook input priority 0; policy accept;
    iifname "{dev}" counter
  }}
}}
"""
    subprocess.run(
        ["ip", "netns", "exec", ns, "nft", "-f", "-"],
        input=script,
        text=True,
        check=True,
        capture_output=True,
        timeout=30,
    )


def counters(ns=KIT_NS, dev=KIT_IF):
    """Return {"dropped", "sent", "received", "shaper_sent", "shaper_dropped"}: (pkts, bytes) each.

    shaper_sent is what tc's tbf let out on `dev`, the kit's egress (bytes with their
    Ethernet header): what really used the link's rate; shaper_dropped counts the packets
    its full queue refused (bytes unknown).
    """
    out = json.loads(_ns(ns, "nft", "-j", "list", "table", "inet", "ck").stdout)
    found = []
    for item in out["nftables"]:
        rule = item.get("rule")
        if not rule:
            continue
        for expr in rule["expr"]:
            if "counter" in expr:
                found.append((expr["counter"]["packets"], expr["counter"]["bytes"]))
    dropped, sent, received = found
    shaper = json.loads(_ns(ns, "tc", "-s", "-j", "qdisc", "show", "dev", dev).stdout)[0]
    return {
        "dropped": dropped,
        "sent": sent,
        "received": received,
        "shaper_sent": (shaper["packets"], shaper["bytes"]),
        "shaper_dropped": (shaper["drops"], 0),
    }


def delta(before, after):
    """Counters gained between two counters() readings."""
    return {k: (after[k][0] - before[k][0], after[k][1] - before[k][1]) for k in after}


def popen_in(ns, argv, **kwargs):
    """Start a process inside a namespace."""
    return subprocess.Popen(["ip", "netns", "exec", ns, *argv], **kwargs)
