"""Daily analytics as a pure function of (seed, asset, channel, country, date) and placement state.

Nothing is stored: a day's rows are computed on demand, vectorised with numpy over every placement
that plays on that day, and cached for a few dates only. Each candidate row (asset x channel x
country in the placement's regions) draws its numbers from a counter-based hash (splitmix64 of
the asset id, channel, country and day), so any past date can be asked for in any order and gives
the same answer; rows with zero views are omitted.

Model (per row, per day)::

    lambda = BASE * tier_scale * deliverable_factor * channel_factor * country_share
             * launch_curve(day - title's launch) * weekday * affinity(asset, channel, country)
             * daily_noise
    views  = floor(lambda + u)          (stochastic rounding: small audiences give 0 or 1)

``launch_curve`` rises over the three weeks before the first publication date of the title (or of
the audio product, for audio deliverables), peaks at launch and decays to a long tail; the
affinity is a fixed log-normal per (asset, channel, country) and the noise a daily log-normal.
Derived values keep the invariants a pipeline checks: ``uniqueViewers <= views``,
``avgViewDurationSeconds <= durationSeconds``, ``0 <= completionRate <= 1``,
``engagementRate = (likes + comments + shares) / views`` (rounded down to 4 decimals).

Memory: candidates are expanded in chunks of placements, so a day of a 50,000-work catalogue
(~100k live placements, a few million candidate rows) never holds more than one chunk of
candidates; only rows with views are kept, as compact columns.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from emulators.catalog import COUNTRIES

from . import wire
from .model import COUNTRY_AXIS, Asset, Placement

BASE_VIEWS = 6000.0
#: Share of the launch peak that lingers (pre-launch buzz, long tail) and how fast the tail fades.
TAIL = 0.015
TAIL_POWER = 1.0
CHUNK_PLACEMENTS = 4096

DELIVERABLE_FACTOR = {
    "DELIVERABLE_TYPE_TRAILER": 1.0,
    "DELIVERABLE_TYPE_AUTHOR_INTERVIEW": 0.35,
    "DELIVERABLE_TYPE_TEASER": 1.1,
    "DELIVERABLE_TYPE_SOCIAL_CUTDOWN": 1.3,
    "DELIVERABLE_TYPE_AUDIOBOOK_SAMPLE": 0.3,
    "DELIVERABLE_TYPE_NARRATED_EXCERPT": 0.2,
    "DELIVERABLE_TYPE_EVENT_RECORDING": 0.15,
    "DELIVERABLE_TYPE_BEHIND_THE_SCENES": 0.3,
    None: 0.3,
}
#: Typical share of the video a view watches, by deliverable (short cuts are watched through).
WATCH_SHARE = {
    "DELIVERABLE_TYPE_TRAILER": 0.62,
    "DELIVERABLE_TYPE_AUTHOR_INTERVIEW": 0.3,
    "DELIVERABLE_TYPE_TEASER": 0.72,
    "DELIVERABLE_TYPE_SOCIAL_CUTDOWN": 0.68,
    "DELIVERABLE_TYPE_AUDIOBOOK_SAMPLE": 0.45,
    "DELIVERABLE_TYPE_NARRATED_EXCERPT": 0.35,
    "DELIVERABLE_TYPE_EVENT_RECORDING": 0.15,
    "DELIVERABLE_TYPE_BEHIND_THE_SCENES": 0.4,
    None: 0.4,
}
DELIVERABLE_AXIS: tuple[str | None, ...] = (*wire.DELIVERABLE_TYPES, None)
CHANNEL_FACTOR = {
    "PLACEMENT_CHANNEL_WEBSITE": 0.25,
    "PLACEMENT_CHANNEL_RETAILER": 0.4,
    "PLACEMENT_CHANNEL_CAMPAIGN_LANDING": 0.2,
    "PLACEMENT_CHANNEL_YOUTUBE": 1.0,
    "PLACEMENT_CHANNEL_TIKTOK": 1.5,
    "PLACEMENT_CHANNEL_INSTAGRAM": 1.1,
    "PLACEMENT_CHANNEL_FACEBOOK": 0.55,
    "PLACEMENT_CHANNEL_X": 0.3,
}
LIKE_RATE = {
    "PLACEMENT_CHANNEL_WEBSITE": 0.004,
    "PLACEMENT_CHANNEL_RETAILER": 0.003,
    "PLACEMENT_CHANNEL_CAMPAIGN_LANDING": 0.008,
    "PLACEMENT_CHANNEL_YOUTUBE": 0.035,
    "PLACEMENT_CHANNEL_TIKTOK": 0.08,
    "PLACEMENT_CHANNEL_INSTAGRAM": 0.06,
    "PLACEMENT_CHANNEL_FACEBOOK": 0.03,
    "PLACEMENT_CHANNEL_X": 0.02,
}
CHANNEL_INDEX = {c: n for n, c in enumerate(wire.CHANNELS)}
ZZ_WEIGHT = 1.5

_weights = np.array([w for _, w in COUNTRIES] + [ZZ_WEIGHT])
COUNTRY_SHARE = _weights / _weights.sum()
_CHAN_F = np.array([CHANNEL_FACTOR[c] for c in wire.CHANNELS])
_LIKE = np.array([LIKE_RATE[c] for c in wire.CHANNELS])
_DELIV_F = np.array([DELIVERABLE_FACTOR[d] for d in DELIVERABLE_AXIS])
_WATCH = np.array([WATCH_SHARE[d] for d in DELIVERABLE_AXIS])
#: Sort ranks so rows come out ordered by the wire strings (channel name, country code).
CHANNEL_RANK = np.argsort(np.argsort(np.array(wire.CHANNELS))).astype(np.int8)
COUNTRY_RANK = np.argsort(np.argsort(np.array(COUNTRY_AXIS))).astype(np.int8)
_SHIFTS = np.arange(len(COUNTRY_AXIS), dtype=np.uint64)

_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_MASK16 = np.uint64(0xFFFF)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = x + _G
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def _uniform53(h: np.ndarray) -> np.ndarray:
    return (h >> _S11).astype(np.float64) * (1.0 / 9007199254740992.0)


def _chunks16(h: np.ndarray) -> list[np.ndarray]:
    return [
        ((h >> np.uint64(16 * k)) & _MASK16).astype(np.float64) * (1.0 / 65536.0) for k in range(4)
    ]


def _normal(h: np.ndarray) -> np.ndarray:
    """Irwin-Hall(4) from the four 16-bit lanes of a hash: mean 0, sd 1, bounded at +-3.46."""
    a, b, c, d = _chunks16(h)
    return (a + b + c + d - 2.0) * 1.7320508075688772


def launch_curve(t: np.ndarray) -> np.ndarray:
    """Relative daily audience ``t`` days after the title's launch (1.0 at launch)."""
    t = t.astype(np.float64)
    pre = TAIL + (1.0 - TAIL) * np.exp(np.maximum(t, -400.0) / 21.0)
    tp = np.maximum(t, 0.0)
    post = (1.0 - TAIL) * np.exp(-np.minimum(tp, 5000.0) / 30.0) + TAIL * (
        1.0 + tp / 60.0
    ) ** -TAIL_POWER
    return np.where(t < 0, pre, post)


@dataclass(slots=True)
class DayRows:
    """One day's rows, sorted by (assetId, channel, country) as wire strings."""

    asset: np.ndarray  # int32 asset index
    chan: np.ndarray  # int8 channel index
    country: np.ndarray  # int8 index into COUNTRY_AXIS
    views: np.ndarray  # int64
    uniq: np.ndarray  # int64
    watch: np.ndarray  # int64 seconds
    likes: np.ndarray  # int32
    comments: np.ndarray  # int32
    shares: np.ndarray  # int32
    avg_c: np.ndarray  # int32 hundredths of a second
    comp_b: np.ndarray  # int32 ten-thousandths
    eng_b: np.ndarray  # int32 ten-thousandths

    def __len__(self) -> int:
        return int(self.asset.shape[0])

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in self.__slots__)

    def take(self, sel: np.ndarray) -> DayRows:
        return DayRows(*(getattr(self, f)[sel] for f in self.__slots__))

    @staticmethod
    def concat(parts: list[DayRows]) -> DayRows:
        if not parts:
            return DayRows.empty()
        return DayRows(*(np.concatenate([getattr(p, f) for p in parts]) for f in DayRows.__slots__))

    @staticmethod
    def empty() -> DayRows:
        i32, i8, i64 = np.int32, np.int8, np.int64
        types = (i32, i8, i8, i64, i64, i64, i32, i32, i32, i32, i32, i32)
        return DayRows(*(np.zeros(0, dtype=t) for t in types))


class Analytics:
    """Per-asset parameters as columns, seeded placements as columns, and the day computation."""

    def __init__(self, seed: int, cache_days: int = 3):
        self.seed = seed
        self._seedmix = splitmix64(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
        self.n_assets = 0
        cap = 1024
        self.a_key = np.zeros(cap, np.uint64)
        self.a_hi = np.zeros(cap, np.uint64)
        self.a_lo = np.zeros(cap, np.uint64)
        self.a_scale = np.zeros(cap, np.float64)
        self.a_launch = np.zeros(cap, np.int32)
        self.a_duration = np.zeros(cap, np.float64)
        self.a_deliv = np.zeros(cap, np.int8)
        self.asset_ids: list[str] = []
        # seeded placements (fixed after build): playing on d iff clean and start <= d < end
        self.p_asset = np.zeros(0, np.int32)
        self.p_chan = np.zeros(0, np.int8)
        self.p_mask = np.zeros(0, np.uint64)
        self.p_start = np.zeros(0, np.int32)
        self.p_end = np.zeros(0, np.int32)
        self.p_clean = np.zeros(0, bool)
        self.cache_days = cache_days
        self._cache: OrderedDict[Any, DayRows] = OrderedDict()
        self.computed = 0

    # ---- building ----------------------------------------------------------------------------

    def add_asset(self, asset: Asset, scale: float, launch: date) -> None:
        n = self.n_assets
        if n >= self.a_key.shape[0]:
            for name in ("a_key", "a_hi", "a_lo", "a_scale", "a_launch", "a_duration", "a_deliv"):
                arr = getattr(self, name)
                grown = np.zeros(arr.shape[0] * 2, arr.dtype)
                grown[: arr.shape[0]] = arr
                setattr(self, name, grown)
        assert asset.idx == n, "assets must be added in index order"
        h = int(asset.id.replace("-", ""), 16)
        hi, lo = h >> 64, h & 0xFFFFFFFFFFFFFFFF
        self.a_hi[n] = hi
        self.a_lo[n] = lo
        self.a_key[n] = splitmix64(np.array([hi ^ lo], np.uint64) ^ self._seedmix)[0]
        self.a_scale[n] = scale
        self.a_launch[n] = launch.toordinal()
        self.a_duration[n] = asset.duration
        self.a_deliv[n] = DELIVERABLE_AXIS.index(asset.deliverable)
        self.asset_ids.append(asset.id)
        self.n_assets += 1

    def set_seeded_placements(self, placements: list[Placement], masks: list[int]) -> None:
        n = len(placements)
        big = date.max.toordinal()
        self.p_asset = np.fromiter((p.asset.idx for p in placements), np.int32, n)
        self.p_chan = np.fromiter((CHANNEL_INDEX[p.channel] for p in placements), np.int8, n)
        self.p_mask = np.array(masks, dtype=np.uint64)
        self.p_start = np.fromiter((p.created_on.toordinal() for p in placements), np.int32, n)
        self.p_end = np.fromiter(
            ((p.seeded_end.date().toordinal() if p.seeded_end else big) for p in placements),
            np.int32,
            n,
        )
        self.p_clean = np.ones(n, bool)

    def mark_dirty(self, placement: Placement) -> None:
        if placement.legacy and placement.idx < self.p_clean.shape[0]:
            self.p_clean[placement.idx] = False

    def invalidate(self) -> None:
        self._cache.clear()

    # ---- computing -------------------------------------------------------------------------

    def day(
        self,
        day: date,
        dirty: Iterable[Placement],
        assets: np.ndarray | None = None,
        include_zero: bool = False,
    ) -> DayRows:
        """Every row of ``day`` (optionally only for asset indices ``assets``), cached."""
        key = (day, None if assets is None else assets.tobytes(), include_zero)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        rows = self._compute(day, dirty, assets, include_zero)
        self._cache[key] = rows
        while len(self._cache) > self.cache_days:
            self._cache.popitem(last=False)
        return rows

    def _compute(
        self, day: date, dirty: Iterable[Placement], assets: np.ndarray | None, include_zero: bool
    ) -> DayRows:
        self.computed += 1
        d = day.toordinal()
        sel = self.p_clean & (self.p_start <= d) & (d < self.p_end)
        if assets is not None:
            sel &= np.isin(self.p_asset, assets)
        idx = np.nonzero(sel)[0]
        pa, pc, pm = self.p_asset[idx], self.p_chan[idx], self.p_mask[idx]
        wanted = None if assets is None else set(assets.tolist())
        extra = []
        for p in dirty:
            if wanted is not None and p.asset.idx not in wanted:
                continue
            mask = p.live_mask_on(day)
            if mask:
                extra.append((p.asset.idx, CHANNEL_INDEX[p.channel], mask))
        if extra:
            pa = np.concatenate([pa, np.array([e[0] for e in extra], np.int32)])
            pc = np.concatenate([pc, np.array([e[1] for e in extra], np.int8)])
            pm = np.concatenate([pm, np.array([e[2] for e in extra], np.uint64)])
        parts = [
            self._chunk(
                d,
                pa[s : s + CHUNK_PLACEMENTS],
                pc[s : s + CHUNK_PLACEMENTS],
                pm[s : s + CHUNK_PLACEMENTS],
                include_zero,
            )
            for s in range(0, pa.shape[0], CHUNK_PLACEMENTS)
        ]
        rows = DayRows.concat(parts)
        if len(rows):
            order = np.lexsort(
                (
                    COUNTRY_RANK[rows.country],
                    CHANNEL_RANK[rows.chan],
                    self.a_lo[rows.asset],
                    self.a_hi[rows.asset],
                )
            )
            rows = rows.take(order)
        return rows

    def _chunk(
        self, d: int, pa: np.ndarray, pc: np.ndarray, pm: np.ndarray, include_zero: bool
    ) -> DayRows:
        bits = ((pm[:, None] >> _SHIFTS) & np.uint64(1)).astype(bool)
        pi, co = np.nonzero(bits)
        a = pa[pi]
        ch = pc[pi].astype(np.int64)
        co = co.astype(np.int64)
        del bits, pi
        static = splitmix64(self.a_key[a] + (ch * 64 + co).astype(np.uint64) * _G)
        daily = splitmix64(static ^ np.uint64((d * 0xD1B54A32D192ED03) & 0xFFFFFFFFFFFFFFFF))
        affinity = np.exp(0.7 * _normal(static) - 0.245)
        noise = np.exp(0.35 * _normal(daily) - 0.06125)
        weekday = (d - 1) % 7
        week = 1.15 if weekday >= 5 else 1.0
        deliv = self.a_deliv[a]
        lam = (
            BASE_VIEWS
            * week
            * self.a_scale[a]
            * _DELIV_F[deliv]
            * _CHAN_F[ch]
            * COUNTRY_SHARE[co]
            * launch_curve(d - self.a_launch[a])
            * affinity
            * noise
        )
        del affinity, noise, static
        views = np.floor(lam + _uniform53(splitmix64(daily ^ _M1))).astype(np.int64)
        keep = np.ones(views.shape[0], bool) if include_zero else views > 0
        a, ch, co, views, daily, deliv = (
            a[keep],
            ch[keep],
            co[keep],
            views[keep],
            daily[keep],
            deliv[keep],
        )
        u_uniq, u_likes, u_comments, u_shares = _chunks16(splitmix64(daily + np.uint64(1)))
        uniq = np.where(
            views > 0, np.maximum(1, np.floor(views * (0.72 + 0.26 * u_uniq))), 0
        ).astype(np.int64)
        share = np.clip(
            _WATCH[deliv] * np.exp(0.25 * _normal(splitmix64(daily + np.uint64(2))) - 0.03),
            0.02,
            1.0,
        )
        duration = self.a_duration[a]
        avg_c = np.floor(duration * share * 100.0)
        avg_c = np.where(views > 0, np.minimum(avg_c, np.floor(duration * 100.0)), 0).astype(
            np.int64
        )
        watch = (views * avg_c) // 100
        comp = np.clip(
            share**1.8 * np.exp(0.2 * _normal(splitmix64(daily + np.uint64(3)))), 0.0, 1.0
        )
        comp_b = np.where(views > 0, np.floor(comp * 10000.0), 0).astype(np.int32)
        rate = _LIKE[ch]
        likes = np.floor(
            views * rate * np.exp(0.4 * _normal(splitmix64(daily + np.uint64(4))) - 0.08) + u_likes
        )
        likes = np.minimum(likes, views).astype(np.int64)
        comments = np.minimum(np.floor(likes * 0.08 + u_comments), views).astype(np.int64)
        shares = np.floor(
            views * rate * 0.25 * np.exp(0.4 * _normal(splitmix64(daily + np.uint64(5))) - 0.08)
            + u_shares
        )
        shares = np.minimum(shares, views).astype(np.int64)
        eng_b = np.where(
            views > 0, ((likes + comments + shares) * 10000) // np.maximum(views, 1), 0
        ).astype(np.int32)
        return DayRows(
            a.astype(np.int32),
            ch.astype(np.int8),
            co.astype(np.int8),
            views,
            uniq,
            watch.astype(np.int64),
            likes.astype(np.int32),
            comments.astype(np.int32),
            shares.astype(np.int32),
            avg_c.astype(np.int32),
            comp_b,
            eng_b,
        )

    # ---- wire ----------------------------------------------------------------------------

    def serialise(self, day: date, rows: DayRows, start: int, stop: int) -> list[dict[str, Any]]:
        """Rows ``[start, stop)`` of a day as DailyMetric objects (only these become Python objects)."""
        iso = day.isoformat()
        ids = self.asset_ids
        cols = [getattr(rows, f)[start:stop].tolist() for f in DayRows.__slots__]
        out = []
        for a, ch, co, v, u, w, lk, cm, sh, avg, comp, eng in zip(*cols, strict=True):
            out.append(
                {
                    "date": iso,
                    "assetId": ids[a],
                    "channel": wire.CHANNELS[ch],
                    "country": COUNTRY_AXIS[co],
                    "views": str(v),
                    "uniqueViewers": str(u),
                    "watchTimeSeconds": str(w),
                    "likes": str(lk),
                    "comments": str(cm),
                    "shares": str(sh),
                    "avgViewDurationSeconds": avg / 100,
                    "completionRate": comp / 10000,
                    "engagementRate": eng / 10000,
                }
            )
        return out
