"""The recogniser's verdict, the same on the page and on the command line: a digit, or "?"
with a reason.

    rule = load_rule(recogniser_npz)             # verdict.json beside the weights
    answers = decide(logits, rule)               # [(digit or None, probability, reason), ...]

The recogniser has an eleventh output, "not a digit" (OTHER), trained on generated
non-digits (ink/shapes.py). Its logits are divided by a temperature fitted on held-out
data (so that 0.9 means right nine times in ten), and the answer is "?" when "not a digit"
is the most probable output or when the best digit's probability is below min_confidence.
Both numbers are chosen by calibrate() on a tuning set no training touched, for a stated
share of real digits refused; docs/uncertainty.md has the figures on data nothing was fitted
to. The page reads the same two numbers from contract.json (app/src/uncertainty.js).
A recogniser without the eleventh output, or without verdict.json, gets temperature 1 and
no threshold: it always names a digit.
"""
import os

import numpy

from digitgan.cli import read_json

OTHER = 10
RULE_FILE = 'verdict.json'
PLAIN_RULE = {'temperature': 1.0, 'min_confidence': 0.0}
NOT_A_DIGIT = 'not a digit: draw one digit'


def softmax(logits, temperature):
    z = numpy.asarray(logits, numpy.float64) / temperature
    z = numpy.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def decide(logits, rule, n_labels=OTHER):
    """[(digit or None, probability of the digit named or of the best one, reason or None)]
    for logits (N, 10 or 11); another classifier's (N, n_labels) logits answer its labels'
    indices."""
    p = softmax(logits, rule['temperature'])
    answers = []
    for row in p:
        order = numpy.argsort(-row[:n_labels], kind='stable')  # ties: the lower digit, as JS
        best, second = int(order[0]), int(order[1])
        if len(row) > n_labels and row.argmax() == n_labels:
            answers.append((None, float(row[n_labels]), NOT_A_DIGIT))
        elif row[best] < rule['min_confidence']:
            answers.append((None, float(row[best]), 'not sure: %d or %d?' % (best, second)))
        else:
            answers.append((best, float(row[best]), None))
    return answers


def refused(logits, rule):
    """Which rows decide() answers with "?", computed for all rows at once (calibrate()
    tries some seventy thresholds on thousands of rows)."""
    p = softmax(logits, rule['temperature'])
    other_first = p.argmax(axis=1) == OTHER if p.shape[1] > OTHER else False
    return other_first | (p[:, :OTHER].max(axis=1) < rule['min_confidence'])


def fit_temperature(logits, labels):
    """The temperature (0.25 to 8) that minimises the negative log-likelihood of labels."""
    labels = numpy.asarray(labels)
    candidates = numpy.exp(numpy.linspace(numpy.log(0.25), numpy.log(8), 121))
    losses = [-numpy.log(softmax(logits, t)[numpy.arange(len(labels)), labels] + 1e-12).mean()
              for t in candidates]
    return float(candidates[int(numpy.argmin(losses))])


def calibrate(digit_logits, digit_labels, other_logits, max_refused=0.005):
    """The rule for a tuning set: digits (logits, labels) and non-digits (logits). The
    threshold is the highest that refuses at most `max_refused` of the digits."""
    logits = numpy.concatenate([digit_logits, other_logits])
    labels = numpy.concatenate([digit_labels, numpy.full(len(other_logits), OTHER)])
    temperature = fit_temperature(logits, labels) if logits.shape[1] > OTHER else 1.0
    best = PLAIN_RULE['min_confidence']
    for threshold in numpy.arange(0.30, 0.951, 0.01):
        rule = {'temperature': temperature, 'min_confidence': round(float(threshold), 2)}
        if refused(digit_logits, rule).mean() <= max_refused:
            best = rule['min_confidence']
    rule = {'temperature': round(temperature, 4), 'min_confidence': best}
    return dict(rule, tuned_for={'max_refused_digits': max_refused},
                on_tuning_set=figures(digit_logits, digit_labels, other_logits, rule))


def figures(digit_logits, digit_labels, other_logits, rule):
    """Read right, refused and misread shares of digits; refused share of non-digits."""
    answers = decide(digit_logits, rule)
    named = numpy.array([-1 if d is None else d for d, _, _ in answers])
    labels = numpy.asarray(digit_labels)

    def share(hits):    # None, not NaN, for a set without digits: NaN is not valid JSON
        return float(hits.mean()) if len(named) else None
    return {'digits': len(named),
            'read_right': share(named == labels),
            'refused': share(named < 0),
            'misread': share((named >= 0) & (named != labels)),
            'non_digits': len(other_logits),
            'non_digits_refused': float(refused(other_logits, rule).mean())
            if len(other_logits) else None}


def rule_path(recogniser_npz):
    return os.path.join(os.path.dirname(os.path.abspath(recogniser_npz)), RULE_FILE)


def load_rule(recogniser_npz):
    """The rule written beside the weights, or PLAIN_RULE where there is none."""
    path = rule_path(recogniser_npz)
    if not os.path.exists(path):
        return dict(PLAIN_RULE)
    rule = read_json(path, 'the recogniser\'s verdict rule')
    return {'temperature': float(rule['temperature']),
            'min_confidence': float(rule['min_confidence'])}
