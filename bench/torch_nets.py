"""Bench only: networks.Generator and networks.Discriminator written again in PyTorch.

Same layers, shapes, initialisation scale, BatchNorm epsilon/momentum and LeakyReLU slope
as the Chainer networks, so the two training steps do the same arithmetic.
`parameter_count()` lets the benchmark check that both have the same parameters.
Nothing in the project imports this file; torch is installed by bench/requirements.txt.
"""
import torch
from torch import nn
import torch.nn.functional as F

CHAINER_BN_EPS = 2e-5          # chainer.links.BatchNormalization's default
CHAINER_BN_MOMENTUM = 0.1      # Chainer's decay=0.9 is PyTorch's momentum=0.1
LEAKY_SLOPE = 0.2              # chainer.functions.leaky_relu's default


def _normal_(module, scale=0.02):
    nn.init.normal_(module.weight, 0.0, scale)
    nn.init.zeros_(module.bias)


class Generator(nn.Module):
    def __init__(self, n_hidden=100, n_classes=10, ch=64, bottom_width=7):
        super().__init__()
        self.n_hidden, self.n_classes, self.ch, self.bottom_width = \
            n_hidden, n_classes, ch, bottom_width
        self.l0 = nn.Linear(n_hidden + n_classes, bottom_width * bottom_width * ch)
        self.dc1 = nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1)
        self.dc2 = nn.ConvTranspose2d(ch // 2, 1, 4, 2, 1)
        self.bn0 = nn.BatchNorm1d(bottom_width * bottom_width * ch, eps=CHAINER_BN_EPS,
                                  momentum=CHAINER_BN_MOMENTUM)
        self.bn1 = nn.BatchNorm2d(ch // 2, eps=CHAINER_BN_EPS, momentum=CHAINER_BN_MOMENTUM)
        for layer in (self.l0, self.dc1, self.dc2):
            _normal_(layer)

    def make_input(self, z, labels):
        return torch.cat([z, F.one_hot(labels, self.n_classes).to(z.dtype)], dim=1)

    def forward(self, x):
        h = F.relu(self.bn0(self.l0(x)))
        h = h.view(len(x), self.ch, self.bottom_width, self.bottom_width)
        h = F.relu(self.bn1(self.dc1(h)))
        return torch.sigmoid(self.dc2(h))


class Discriminator(nn.Module):
    def __init__(self, n_classes=10, ch=64, image_width=28):
        super().__init__()
        self.n_classes = n_classes
        self.c0 = nn.Conv2d(1 + n_classes, ch, 4, 2, 1)
        self.c1 = nn.Conv2d(ch, ch * 2, 4, 2, 1)
        self.bn1 = nn.BatchNorm2d(ch * 2, eps=CHAINER_BN_EPS, momentum=CHAINER_BN_MOMENTUM)
        self.l2 = nn.Linear(ch * 2 * (image_width // 4) ** 2, 1)
        for layer in (self.c0, self.c1, self.l2):
            _normal_(layer)

    def forward(self, x, labels):
        planes = F.one_hot(labels, self.n_classes).to(x.dtype)[:, :, None, None]
        planes = planes.expand(len(labels), self.n_classes, *x.shape[2:])
        h = torch.cat([x, planes], dim=1)
        h = F.leaky_relu(self.c0(h), LEAKY_SLOPE)
        h = F.leaky_relu(self.bn1(self.c1(h)), LEAKY_SLOPE)
        return self.l2(h.flatten(1))


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


class GANStep:
    """updater.GANUpdater.update_core in PyTorch, doing the same work as the Chainer step:
    one G forward, D forwards on the real and the fake batch, then D's loss differentiated
    with respect to D's parameters only and G's loss with respect to G's parameters only
    (updater.update_from does the same with chainer.grad), then both Adam steps.

    One difference in values, none in work: Chainer updates D's weights in place before
    G's backward pass reads them; PyTorch forbids that, so both gradients are taken first."""

    def __init__(self, gen, dis, real_label=0.9, alpha=2e-4, beta1=0.5):
        self.gen, self.dis, self.real_label = gen, dis, real_label
        self.opt_gen = torch.optim.Adam(gen.parameters(), lr=alpha, betas=(beta1, 0.999),
                                        eps=1e-8)
        self.opt_dis = torch.optim.Adam(dis.parameters(), lr=alpha, betas=(beta1, 0.999),
                                        eps=1e-8)

    def __call__(self, x_real, labels):
        gen, dis, smooth = self.gen, self.dis, self.real_label
        z = torch.randn(len(labels), gen.n_hidden)
        x_fake = gen(gen.make_input(z, labels))
        y_real = dis(x_real, labels)
        y_fake = dis(x_fake, labels)
        loss_dis = (smooth * F.softplus(-y_real) + (1 - smooth) * F.softplus(y_real)).mean() \
            + F.softplus(y_fake).mean()
        loss_gen = F.softplus(-y_fake).mean()

        dis_params, gen_params = list(dis.parameters()), list(gen.parameters())
        dis_grads = torch.autograd.grad(loss_dis, dis_params, retain_graph=True)
        gen_grads = torch.autograd.grad(loss_gen, gen_params)
        for params, grads in ((dis_params, dis_grads), (gen_params, gen_grads)):
            for p, g in zip(params, grads):
                p.grad = g
        self.opt_dis.step()
        self.opt_gen.step()
        return float(loss_gen), float(loss_dis)
