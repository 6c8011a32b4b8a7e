"""Distribution distances between feature sets, in numpy only (evaluate.py uses them).

    d = frechet_distance(weighted_stats(a, wa), weighted_stats(b, wb))
    s = spread(a)       # mean pairwise Euclidean distance within a set

The Frechet distance between Gaussians N(m1, C1) and N(m2, C2) is
    |m1 - m2|^2 + tr(C1 + C2 - 2 (C1 C2)^(1/2)),
and tr((C1 C2)^(1/2)) = tr((C1^(1/2) C2 C1^(1/2))^(1/2)), a symmetric product whose square
root needs only eigh (no scipy).
"""
import numpy


def weighted_stats(features, weights):
    """Mean and (unbiased, reliability-weighted) covariance of features (N, D)."""
    f = numpy.asarray(features, numpy.float64)
    w = numpy.asarray(weights, numpy.float64)
    w = w / w.sum()
    mean = w @ f
    centred = f - mean
    cov = (centred * w[:, None]).T @ centred / (1 - (w * w).sum())
    return mean, cov


def sqrt_psd(matrix):
    """Square root of a symmetric positive semi-definite matrix (negative rounding clipped)."""
    values, vectors = numpy.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * numpy.sqrt(numpy.clip(values, 0, None))) @ vectors.T


def frechet_distance(stats1, stats2):
    (m1, c1), (m2, c2) = stats1, stats2
    root1 = sqrt_psd(c1)
    product = root1 @ c2 @ root1
    cross = numpy.linalg.eigvalsh((product + product.T) / 2)
    trace_sqrt = numpy.sqrt(numpy.clip(cross, 0, None)).sum()
    distance = ((m1 - m2) ** 2).sum() + numpy.trace(c1) + numpy.trace(c2) - 2 * trace_sqrt
    return max(0.0, float(distance))        # >= 0 in exact arithmetic


def spread(features):
    """Mean Euclidean distance over all pairs of distinct rows (None for fewer than 2)."""
    f = numpy.asarray(features, numpy.float64)
    n = len(f)
    if n < 2:
        return None
    squared = (f * f).sum(axis=1)
    d2 = squared[:, None] + squared[None, :] - 2 * f @ f.T
    distances = numpy.sqrt(numpy.clip(d2, 0, None))
    return float((distances.sum() - numpy.trace(distances)) / (n * (n - 1)))
