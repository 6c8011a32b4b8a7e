"""digitgan/recognition/verdict.py: the "?" rule shared by recognize.py and the page, and its
tuning."""
import json

import numpy

from digitgan.recognition import verdict


def logits_for(probabilities):
    return numpy.log(numpy.asarray(probabilities, numpy.float64))


def test_decide_names_a_digit_or_says_why_not():
    rule = {'temperature': 1.0, 'min_confidence': 0.7}
    ten = [0.01] * 10
    sure = ten[:]
    sure[7] = 0.91
    unsure = ten[:]
    unsure[3], unsure[5] = 0.5, 0.42
    other = ten + [0.9]
    rows = logits_for([sure + [0.0001], unsure + [0.0001], other])
    answers = verdict.decide(rows, rule)
    assert answers[0][0] == 7 and answers[0][2] is None
    assert answers[1][0] is None and answers[1][2] == 'not sure: 3 or 5?'
    assert answers[2][0] is None and answers[2][2] == verdict.NOT_A_DIGIT


def test_temperature_sharpens_or_softens():
    rows = logits_for([[0.6] + [0.4 / 9] * 9])
    assert verdict.decide(rows, {'temperature': 1.0, 'min_confidence': 0.7})[0][0] is None
    assert verdict.decide(rows, {'temperature': 0.5, 'min_confidence': 0.7})[0][0] == 0


def test_fit_temperature_finds_the_one_that_made_the_labels():
    rng = numpy.random.RandomState(0)
    logits = rng.normal(0, 4, (4000, 11))
    true_temperature = 2.0
    p = verdict.softmax(logits, true_temperature)
    labels = numpy.array([rng.choice(11, p=row) for row in p])
    assert abs(verdict.fit_temperature(logits, labels) - true_temperature) < 0.2


def test_calibrate_refuses_no_more_digits_than_asked():
    rng = numpy.random.RandomState(1)
    labels = rng.randint(0, 10, 2000)
    digit_logits = rng.normal(0, 1, (2000, 11))
    digit_logits[numpy.arange(2000), labels] += rng.uniform(0, 8, 2000)    # some are unsure
    digit_logits[:, verdict.OTHER] -= 3
    other_logits = rng.normal(0, 1, (500, 11))
    other_logits[:, verdict.OTHER] += 4
    rule = verdict.calibrate(digit_logits, labels, other_logits, max_refused=0.05)
    assert rule['on_tuning_set']['refused'] <= 0.05
    assert rule['min_confidence'] > 0.3             # a threshold was needed and found
    plain = {k: rule[k] for k in ('temperature', 'min_confidence')}
    assert verdict.refused(other_logits, plain).mean() > 0.9


def test_no_rule_file_means_always_a_digit(tmp_path):
    assert verdict.load_rule(str(tmp_path / 'recogniser.npz')) == verdict.PLAIN_RULE
    rows = logits_for([[0.1] * 10])
    assert verdict.decide(rows, verdict.PLAIN_RULE)[0][0] == 0


def test_figures_of_a_set_without_digits_are_valid_json():
    """evaluate.py's non-digit set has no digits: its digit shares are null, not NaN."""
    rule = {'temperature': 1.0, 'min_confidence': 0.5}
    others = logits_for([[0.01] * 10 + [0.9]])
    result = verdict.figures(others[:0], [], others, rule)
    assert result['digits'] == 0 and result['read_right'] is None
    assert result['non_digits_refused'] == 1.0
    json.loads(json.dumps(result, allow_nan=False))
    digits = verdict.figures(logits_for([[0.9] + [0.01] * 10, [0.01] * 10 + [0.9]]), [0, 3],
                             others[:0], rule)
    assert (digits['read_right'], digits['refused'], digits['misread']) == (0.5, 0.5, 0.0)
    assert digits['non_digits_refused'] is None
