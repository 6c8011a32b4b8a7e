"""How good a generator is, measured with the recogniser (evaluate.py is its command line).

    generated = recognise(rec, images, labels)       # Recognised(features, predicted, labels)
    values, per_label = measure(generated, real, train)
    checks = verdicts(values)                        # each TARGETS entry: met, gap
    (targets_for(dataset, values): another data set's targets)
    print(table(values, per_label, checks))

Every distance is taken in the recogniser's penultimate features. A Frechet distance is
read against its floor: the same distance between as many real *train* digits and the real
test digits, i.e. what a perfect generator would score with this many samples.
"""
import collections

import chainer
import numpy

from digitgan.evaluation.metrics import frechet_distance, spread, weighted_stats

# Images per forward pass of the recogniser: larger batches are no faster per image on a CPU.
BATCH = 100
# Samples per label for per-label statistics: pairwise spread is O(n^2) in memory.
PER_LABEL_CAP = 1000

Recognised = collections.namedtuple('Recognised', 'features predicted labels')
Target = collections.namedtuple('Target', 'name title op value unit')
TARGETS = [
    Target('conditional_accuracy', 'conditional accuracy', '>=', 0.995, '%'),
    Target('worst_label_accuracy', 'worst label: conditional accuracy', '>=', 0.985, '%'),
    Target('frechet_ratio', 'Frechet distance / floor', '<=', 2.0, 'x'),
    Target('worst_label_frechet_ratio', 'worst label: Frechet / its floor', '<=', 3.0, 'x'),
    Target('diversity_ratio', 'diversity (spread / real spread)', '>=', 0.95, ''),
    Target('worst_label_diversity', 'worst label: diversity', '>=', 0.85, ''),
    Target('recogniser_accuracy', 'recogniser test accuracy', '>=', 0.994, '%'),
]
CLASSIFIER_ACCURACY = {'fashion-mnist': 0.92}   # what a data set's judge must reach on its test


def targets_for(dataset, values):
    """MNIST's TARGETS; for another data set: generated images read right at least as often
    as its real test images, Frechet <= 3x the floor, diversity >= 0.95."""
    if dataset == 'mnist':
        return TARGETS
    real = values['recogniser_accuracy']
    return [Target('conditional_accuracy', 'conditional accuracy (>= real test)', '>=', real,
                   '%'),
            Target('frechet_ratio', 'Frechet distance / floor', '<=', 3.0, 'x'),
            Target('diversity_ratio', 'diversity (spread / real spread)', '>=', 0.95, ''),
            Target('recogniser_accuracy', 'classifier test accuracy', '>=',
                   CLASSIFIER_ACCURACY.get(dataset, 0.0), '%')]


def recognise(rec, images, labels):
    """Penultimate features (float64) and predicted labels of `images`, in eval mode."""
    features, predicted = [], []
    with chainer.using_config('train', False), chainer.using_config('enable_backprop', False):
        for i in range(0, len(images), BATCH):
            h = rec.features(images[i:i + BATCH])
            features.append(h.array.astype(numpy.float64))
            predicted.append(rec.l6(h).array.argmax(axis=1))
    return Recognised(numpy.concatenate(features), numpy.concatenate(predicted),
                      numpy.asarray(labels))


def frechet(features, real_stats, weights=None):
    """Frechet distance of `features` (equal weights unless given) to `real_stats`."""
    weights = numpy.ones(len(features)) if weights is None else weights
    return frechet_distance(weighted_stats(features, weights), real_stats)


def mix_weights(labels, wanted_share):
    """Weights that give a labelled set the generated set's label mix."""
    share = numpy.bincount(labels, minlength=len(wanted_share)) / len(labels)
    return wanted_share[labels] / numpy.maximum(share[labels], 1e-12)


def label_measures(c, generated, real, train, rng):
    def pick(recognised):
        rows = rng.permutation(numpy.nonzero(recognised.labels == c)[0])[:PER_LABEL_CAP]
        return recognised.features[rows]
    gen_f, real_f, train_f = pick(generated), pick(real), pick(train)
    mine = generated.labels == c
    distance = floor = None
    if min(len(gen_f), len(real_f), len(train_f)) > 1:
        real_stats = weighted_stats(real_f, numpy.ones(len(real_f)))
        distance, floor = frechet(gen_f, real_stats), frechet(train_f, real_stats)
    real_spread = spread(real_f)
    in_real = real.labels == c
    return {
        'n': int(mine.sum()),
        'conditional_accuracy': float((generated.predicted[mine] == c).mean()),
        'frechet_distance': distance,
        'frechet_floor': floor,
        'frechet_ratio': ratio(distance, floor),
        'diversity_ratio': ratio(spread(gen_f), real_spread),
        'diversity_floor': ratio(spread(train_f), real_spread),
        'recogniser_accuracy': float((real.predicted[in_real] == c).mean())
        if in_real.any() else None,
    }


def measure(generated, real, train):
    """Each argument a Recognised. Returns (values, per_label): the TARGETS' values and more
    overall, and a dict label -> measures for every label present in `generated`."""
    n_classes = 1 + max(int(r.labels.max()) for r in (generated, real, train))
    share = numpy.bincount(generated.labels, minlength=n_classes) / len(generated.labels)
    real_stats = weighted_stats(real.features, mix_weights(real.labels, share))
    distance = frechet(generated.features, real_stats)
    floor = frechet(train.features, real_stats, mix_weights(train.labels, share))
    rng = numpy.random.RandomState(0)
    per_label = {int(c): label_measures(c, generated, real, train, rng)
                 for c in numpy.nonzero(share)[0]}

    def over_labels(key, pick):
        found = [v[key] for v in per_label.values() if v[key] is not None]
        return float(pick(found)) if found else float('nan')
    values = {
        'conditional_accuracy': float((generated.predicted == generated.labels).mean()),
        'worst_label_accuracy': over_labels('conditional_accuracy', min),
        'frechet_distance': distance,
        'frechet_floor': floor,
        'frechet_ratio': distance / floor,
        'worst_label_frechet_ratio': over_labels('frechet_ratio', max),
        'diversity_ratio': over_labels('diversity_ratio', numpy.mean),
        'worst_label_diversity': over_labels('diversity_ratio', min),
        'recogniser_accuracy': float((real.predicted == real.labels).mean()),
    }
    return values, per_label


def ratio(a, b):
    return a / b if a is not None and b else None


def verdicts(values, targets=TARGETS):
    """For each target: its text, whether it is met, and the gap (value - target)."""
    out = {}
    for target in targets:
        gap = values[target.name] - target.value
        met = gap >= 0 if target.op == '>=' else gap <= 0
        out[target.name] = {'target': '%s %g' % (target.op, target.value), 'met': bool(met),
                            'gap': gap}
    return out


def shown(value, unit):
    if value is None or value != value:
        return '-'
    return {'%': '%.2f %%' % (100 * value), 'x': '%.2f x' % value}.get(unit, '%.3f' % value)


def worst_label(per_label, key, pick):
    found = {c: v[key] for c, v in per_label.items() if v[key] is not None}
    return pick(found, key=found.get) if found else None


def target_lines(values, checks, targets=TARGETS):
    """A header, then per target: title, value, target, met or MISSED with the gap."""
    lines = ['%-36s %-10s %-10s %s' % ('metric', 'value', 'target', 'status')]
    for target in targets:
        check = checks[target.name]
        lines.append('%-36s %-10s %-10s %s' % (
            target.title, shown(values[target.name], target.unit),
            '%s %s' % (target.op, shown(target.value, target.unit)),
            'met' if check['met'] else 'MISSED (gap %s)' % shown(abs(check['gap']),
                                                                 target.unit)))
    return lines


def table(values, per_label, checks, targets=TARGETS):
    """The report evaluate.py prints: one line per target, then one column per label."""
    lines = target_lines(values, checks, targets)
    lines.append('Frechet %.4g, floor %.4g; worst labels: accuracy %s, Frechet %s, '
                 'diversity %s' % (
                     values['frechet_distance'], values['frechet_floor'],
                     worst_label(per_label, 'conditional_accuracy', min),
                     worst_label(per_label, 'frechet_ratio', max),
                     worst_label(per_label, 'diversity_ratio', min)))
    lines.append('%-12s' % 'label' + ''.join('%9d' % c for c in per_label))
    for key, title, unit in (('conditional_accuracy', 'accuracy', '%'),
                             ('frechet_ratio', 'Frechet/fl', 'x'),
                             ('diversity_ratio', 'diversity', ''),
                             ('recogniser_accuracy', 'recogniser', '%')):
        lines.append('%-12s' % title + ''.join(
            '%9s' % shown(v[key], unit).replace(' ', '') for v in per_label.values()))
    return '\n'.join(lines)
