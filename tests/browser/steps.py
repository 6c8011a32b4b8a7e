"""Browser steps (for drive.mjs) that more than one page test uses."""


def read_canvas(selector):
    """Browser step: once the page has settled, a canvas's size and each pixel's grey level."""
    return {'eval': """async () => {
  await window.dcganTest.settled();
  const canvas = document.querySelector('%s');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return {width: canvas.width, height: canvas.height,
          grey: Array.from({length: canvas.width * canvas.height}, (_, i) => data[4 * i])};
}""" % selector}
