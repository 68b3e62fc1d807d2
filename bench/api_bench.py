"""The HTTP half of `make bench`: files complaints through `POST /api/complaints` with bounded
concurrency (acknowledgements per second, p50/p99 latency), watches the read model's `cases` table until
every filed case reaches a routed state (status past RECEIVED or `routed_at` set) and notes when the last
one got there, then tracks each filed case with `GET /api/complaints/{n}` and its PIN header (p50/p99).
Talks only to 127.0.0.1, with a timeout on every request and a deadline on every loop.

The door limits each client (`intake.rates`, 30 filings a minute by default), so the load comes as a
deployment behind its proxy sees it: the stack trusts 127.0.0.1 as its proxy and every simulated user
sends `X-Forwarded-For` with the citizen it files for (`citizen_address`). A user files as one citizen
for `FILINGS_PER_CITIZEN` filings, then as the next, and each case is tracked from the address that
filed it. A 429 is counted, never retried or hidden."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, or_, select

from bench.bare import percentile
from db.models import Case
from db.session import make_engine
from workflows.contracts import RECEIVED

log = logging.getLogger("bench")

REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=5.0)

# Realistic complaints, the kind a Damrongdham center gets: roads, goods bought online, land titles,
# noise, garbage. Areas are given as a citizen types them, in Thai.
COMPLAINTS: tuple[tuple[str, str, str], ...] = (
    ("ถนนหน้าบ้านเป็นหลุมใหญ่หลายจุด ฝนตกน้ำขังทุกวัน รถจักรยานยนต์ล้มบ่อย ขอให้มาซ่อมโดยเร็ว", "ตรัง", "สิเกา"),
    ("สั่งซื้อโทรศัพท์มือถือทางออนไลน์ โอนเงินไปแล้ว 8,900 บาท แต่ได้กล่องเปล่า ร้านค้าไม่ตอบแชทและปิดเพจไปแล้ว", "กรุงเทพมหานคร", "บางรัก"),
    ("เพื่อนบ้านสร้างรั้วรุกล้ำเข้ามาในที่ดินของผมประมาณสองเมตร ตามโฉนดที่ดินเลขที่ 12345 ขอให้สำนักงานที่ดินมารังวัดใหม่", "เชียงใหม่", "สันทราย"),
    ("ร้านคาราโอเกะข้างบ้านเปิดเพลงเสียงดังถึงตีสองทุกคืน เด็กและผู้สูงอายุนอนไม่หลับ แจ้งผู้ใหญ่บ้านแล้วก็ไม่ดีขึ้น", "ขอนแก่น", "เมืองขอนแก่น"),
    ("รถเก็บขยะไม่มาเก็บขยะในซอยมาสองสัปดาห์แล้ว ขยะกองส่งกลิ่นเหม็น มีหนูและแมลงวันเต็มไปหมด", "นครราชสีมา", "ปากช่อง"),
    ("ไฟถนนในหมู่บ้านดับทั้งซอยมาหนึ่งเดือน กลางคืนมืดมาก เกรงว่าจะเกิดอาชญากรรม ขอให้ อบต. มาเปลี่ยนหลอดไฟ", "สงขลา", "หาดใหญ่"),
    ("ซื้อครีมบำรุงผิวจากไลฟ์สดในโซเชียล ใช้แล้วหน้าแพ้ เป็นผื่นแดง ฉลากไม่มีเลข อย. ร้านไม่ยอมคืนเงิน", "ภูเก็ต", "กะทู้"),
    ("ญาติพี่น้องแบ่งมรดกที่ดินไม่ตกลงกัน มีคนนำโฉนดไปจำนองโดยไม่ได้รับความยินยอมจากทายาทคนอื่น", "อุบลราชธานี", "วารินชำราบ"),
    ("โรงงานใกล้ชุมชนตอกเสาเข็มตั้งแต่ตีห้า เสียงดังและบ้านสั่นจนผนังร้าว ขอให้ตรวจสอบใบอนุญาต", "ชลบุรี", "บางละมุง"),
    ("มีคนนำขยะมาทิ้งริมคลองข้างหมู่บ้านทุกคืน น้ำในคลองเน่าเสีย ขอให้ติดกล้องและมาเก็บขยะ", "นนทบุรี", "ปากเกร็ด"),
)


# A citizen files at most this many complaints: a third of the default filing rate (30 per 60 s per
# client), so even a run that files all of them within one second stays inside the limit.
FILINGS_PER_CITIZEN = 10
# The second octet of a door's citizens, so that the phases of one run never share a client.
API_WARMUP, API_FILING, CHAT_FILING, CHAT_TURNS = 1, 2, 3, 4


def citizen_address(door: int, user: int, citizen: int) -> str:
    """10.<door>.<user>.<citizen>: the address of a simulated user's `citizen`-th citizen."""
    return f"10.{door % 256}.{user % 256}.{citizen % 254 + 1}"


def forwarded_for(address: str) -> dict[str, str]:
    """The header the trusted proxy (127.0.0.1, the bench itself) adds for its client."""
    return {"X-Forwarded-For": address}


def complaint_body(i: int) -> dict:
    text, province, district = COMPLAINTS[i % len(COMPLAINTS)]
    return {"text": f"{text} (ครั้งที่ {i + 1})", "province": province, "district": district, "anonymous": True}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


_TLS = ssl.create_default_context()  # built once: each client building its own costs ~20 ms of CPU


def _client(concurrency: int, base_url: str = "") -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # trust_env=False: no proxies between the bench and the stack
    return httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT, limits=limits, trust_env=False, verify=_TLS)


@dataclass
class User:
    """One simulated user: its own client and connection, and how many filings it has sent, which
    says which citizen it files for next."""

    http: httpx.AsyncClient
    index: int
    sent: int = 0

    def next_citizen(self, door: int) -> str:
        address = citizen_address(door, self.index, self.sent // FILINGS_PER_CITIZEN)
        self.sent += 1
        return address


async def as_users(concurrency: int, items: list, one, on_start=None, base_url: str = "") -> None:
    """Run `one(user, item)` over `items` as `concurrency` users, each with its own client and
    connection, all opened before `on_start()` starts the clock. One shared client with 50
    connections spent seconds of the bench's own CPU scanning its pool (httpcore's
    request-to-connection assignment is quadratic), and that queueing, not the server, was what the
    latencies measured."""
    pending = iter(items)
    async with contextlib.AsyncExitStack() as stack:
        users = max(1, min(concurrency, len(items)))
        clients = [await stack.enter_async_context(_client(1, base_url)) for _ in range(users)]
        if on_start is not None:
            on_start()

        async def user(who: User) -> None:
            for item in pending:
                await one(who, item)

        await asyncio.gather(*(user(User(http, i)) for i, http in enumerate(clients)))


@dataclass
class Filing:
    """What a filing pass returns: the acknowledged cases and the timing of each POST."""

    cases: list[tuple[str, str]] = field(default_factory=list)  # (tracking number, PIN)
    filers: dict[str, str] = field(default_factory=dict)  # tracking number -> the citizen's address
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    throttled: int = 0  # 429 answers (or the chat's polite refusal): the door's limits refused a filing
    citizens: set[str] = field(default_factory=set)
    started: float = 0.0  # perf_counter when the first POST went out
    finished: float = 0.0  # perf_counter when the last answer came back

    def summary(self, concurrency: int) -> dict:
        elapsed = self.finished - self.started
        return {
            "requests": len(self.cases) + len(self.errors),
            "acknowledged": len(self.cases),
            "concurrency": concurrency,
            "elapsed_s": round(elapsed, 3),
            "acks_per_s": round(len(self.cases) / elapsed, 2) if elapsed > 0 else None,
            "p50_ms": _ms(percentile(self.latencies, 50)),
            "p99_ms": _ms(percentile(self.latencies, 99)),
            "max_ms": _ms(max(self.latencies, default=None)),
            "errors": len(self.errors),
            "throttled_429": self.throttled,
            "citizens": len(self.citizens),
            "error_samples": self.errors[:5],
        }


async def file_complaints(base_url: str, n: int, concurrency: int, offset: int = 0, door: int = API_FILING) -> Filing:
    """POST `n` complaints with at most `concurrency` in flight; only 201 answers count as acks."""
    out = Filing()

    async def one(user: User, i: int) -> None:
        body, citizen = complaint_body(offset + i), user.next_citizen(door)
        out.citizens.add(citizen)
        t0 = time.perf_counter()
        try:
            resp = await user.http.post(f"{base_url}/api/complaints", json=body, headers=forwarded_for(citizen))
        except httpx.HTTPError as err:
            out.errors.append(f"{type(err).__name__}: {err}")
            return
        took = time.perf_counter() - t0
        if resp.status_code != 201:
            out.throttled += resp.status_code == 429
            out.errors.append(f"HTTP {resp.status_code}: {resp.text[:200]}")
            return
        data = resp.json()
        out.latencies.append(took)
        out.cases.append((data["tracking_number"], data["pin"]))
        out.filers[data["tracking_number"]] = citizen

    await as_users(concurrency, list(range(n)), one, on_start=lambda: setattr(out, "started", time.perf_counter()))
    out.finished = time.perf_counter()
    return out


class RoutedWatcher:
    """Polls the read model for how many cases of one door (`channel`: "api", "web"; None for all)
    exist and how many have reached a routed state."""

    def __init__(self, database_url: str, channel: str | None = None) -> None:
        self.engine = make_engine(database_url)
        self.door = [Case.channel == channel] if channel else []

    def counts(self) -> tuple[int, int]:
        routed = or_(Case.status != RECEIVED, Case.routed_at.is_not(None))
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(Case).where(*self.door)).scalar_one()
            done = conn.execute(select(func.count()).select_from(Case).where(routed, *self.door)).scalar_one()
        return total, done

    def statuses(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(Case.status, func.count()).where(*self.door).group_by(Case.status)).all()
        return {status: count for status, count in rows}

    def db_span(self, numbers: list[str]) -> float | None:
        """Seconds from the first filed_at to the last routed_at among these cases, by the rows' own
        stamps (the app's and the workflow's clocks), as a cross-check of the polled figure."""
        if not numbers:
            return None
        first, last = None, None
        with self.engine.connect() as conn:
            for i in range(0, len(numbers), 500):
                chunk = numbers[i : i + 500]
                lo, hi = conn.execute(
                    select(func.min(Case.filed_at), func.max(Case.routed_at)).where(Case.tracking_number.in_(chunk))
                ).one()
                lo, hi = _utc(lo), _utc(hi)
                first = lo if first is None or (lo and lo < first) else first
                last = hi if last is None or (hi and hi > last) else last
        if first is None or last is None:
            return None
        return (last - first).total_seconds()

    def close(self) -> None:
        self.engine.dispose()


def _utc(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def file_and_wait_routed(
    base_url: str,
    database_url: str,
    n: int,
    concurrency: int,
    routed_timeout: float,
    offset: int = 0,
    interval: float = 0.1,
    problem: Callable[[], str | None] = lambda: None,
    door: int = API_FILING,
    file: Callable[[], Awaitable[Filing]] | None = None,
    channel: str = "api",
) -> tuple[Filing, dict]:
    """File `n` complaints through the API (or through `file()`, another door whose cases have
    `channel`) and, at the same time, poll the read model every `interval` seconds until every
    acknowledged one is routed or `routed_timeout` passes. That door's rows already routed before the
    start (warm-up cases) are subtracted. `problem()` naming a dead stack process stops the wait."""
    file = file or (lambda: file_complaints(base_url, n, concurrency, offset, door))
    watcher = RoutedWatcher(database_url, channel)
    try:
        _, baseline = await asyncio.to_thread(watcher.counts)
        filing_done = asyncio.Event()
        holder: dict[str, Filing] = {}

        async def filing() -> None:
            try:
                holder["filing"] = await file()
            finally:
                filing_done.set()

        progress: list[list[float]] = []  # [seconds since the first POST, cases routed], every ~10 s

        async def watching() -> tuple[float | None, int]:
            done, next_sample = baseline, time.perf_counter()
            while time.perf_counter() < deadline:
                _, done = await asyncio.to_thread(watcher.counts)
                if (now := time.perf_counter()) >= next_sample:
                    progress.append([round(now - began, 1), done - baseline])
                    next_sample = now + 10
                if (trouble := problem()) is not None:
                    raise RuntimeError(trouble)
                if filing_done.is_set():
                    if "filing" not in holder:  # filing itself failed; gather re-raises it
                        return None, done
                    if done >= baseline + len(holder["filing"].cases):
                        return time.perf_counter(), done
                await asyncio.sleep(interval)
            return None, done

        began = time.perf_counter()
        deadline = began + routed_timeout
        _, (last_at, done) = await asyncio.gather(filing(), watching())
        filed = holder["filing"]
        routed = max(0, done - baseline)
        span = (last_at - filed.started) if last_at is not None else None
        db_span = await asyncio.to_thread(watcher.db_span, [num for num, _ in filed.cases])
        result = {
            "acknowledged": len(filed.cases),
            "routed": routed,
            "all_routed": last_at is not None,
            "timeout_s": routed_timeout,
            "last_routed_after_s": round(span, 3) if span is not None else None,
            "routed_per_s": round(routed / span, 2) if span else None,
            "db_first_filed_to_last_routed_s": round(db_span, 3) if db_span is not None else None,
            "statuses": await asyncio.to_thread(watcher.statuses),
            "progress": progress,
        }
        if last_at is None:  # not all routed in time: the rate over the whole wait, a lower bound
            waited = time.perf_counter() - filed.started
            result["routed_per_s"] = round(routed / waited, 2) if waited > 0 else None
        return filed, result
    finally:
        watcher.close()


async def track_cases(
    base_url: str, cases: list[tuple[str, str]], concurrency: int, filers: dict[str, str] | None = None
) -> dict:
    """GET each case's tracking view with its PIN in `X-Tracking-Pin`, from the address of the
    citizen who filed it (`filers`); 200 answers count."""
    latencies: list[float] = []
    errors: list[str] = []
    throttled = 0

    async def one(user: User, case: tuple[str, str]) -> None:
        nonlocal throttled
        number, pin = case
        headers = {"X-Tracking-Pin": pin, **(forwarded_for(filers[number]) if filers and number in filers else {})}
        t0 = time.perf_counter()
        try:
            resp = await user.http.get(f"{base_url}/api/complaints/{number}", headers=headers)
        except httpx.HTTPError as err:
            errors.append(f"{type(err).__name__}: {err}")
            return
        took = time.perf_counter() - t0
        if resp.status_code != 200:
            throttled += resp.status_code == 429
            errors.append(f"HTTP {resp.status_code}: {resp.text[:200]}")
            return
        latencies.append(took)

    clock = {}
    await as_users(concurrency, list(cases), one, on_start=lambda: clock.setdefault("started", time.perf_counter()))
    elapsed = time.perf_counter() - clock["started"]
    return {
        "requests": len(cases),
        "ok": len(latencies),
        "concurrency": concurrency,
        "elapsed_s": round(elapsed, 3),
        "per_s": round(len(latencies) / elapsed, 2) if elapsed > 0 else None,
        "p50_ms": _ms(percentile(latencies, 50)),
        "p99_ms": _ms(percentile(latencies, 99)),
        "max_ms": _ms(max(latencies, default=None)),
        "errors": len(errors),
        "throttled_429": throttled,
        "error_samples": errors[:5],
    }


async def wait_healthy(base_url: str, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    last = "no answer"
    async with _client(1) as http:
        while time.perf_counter() < deadline:
            try:
                resp = await http.get(f"{base_url}/health")
                if resp.status_code == 200:
                    return
                last = f"HTTP {resp.status_code}: {resp.text[:200]}"
            except httpx.HTTPError as err:
                last = f"{type(err).__name__}: {err}"
            await asyncio.sleep(0.5)
    raise TimeoutError(f"{base_url}/health not ok after {timeout:.0f}s: {last}")
