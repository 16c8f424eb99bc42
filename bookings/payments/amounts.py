"""Arithmetic on integer pence: VAT and percentages, rounded half-up to the penny."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

BASIS_POINTS = 10_000  # 100.00%


def rate_basis_points(percentage: str | int | float) -> int:
    """A percentage as configured ('20', '17.5') in basis points (2000, 1750)."""
    try:
        value = Decimal(str(percentage).strip() or "0")
    except InvalidOperation:
        raise ValueError(f"not a percentage: {percentage!r}") from None
    points = value * 100
    if points < 0 or points > BASIS_POINTS or points != points.to_integral_value():
        raise ValueError(f"a percentage from 0 to 100 with at most two decimals: {percentage!r}")
    return int(points)


def share(pence: int, basis_points: int) -> int:
    """basis_points / 10000 of an amount, rounded half-up to the penny."""
    if pence < 0 or basis_points < 0:
        raise ValueError("amounts and rates are never negative here")
    return (pence * basis_points * 2 + BASIS_POINTS) // (2 * BASIS_POINTS)


def vat_on(net_pence: int, rate_bp: int) -> int:
    """VAT on a net amount, rounded half-up to the penny (per line, as HMRC allows)."""
    return share(net_pence, rate_bp)


def percent_of(pence: int, percent: int) -> int:
    """A whole percentage of an amount, rounded half-up to the penny."""
    return share(pence, percent * 100)
