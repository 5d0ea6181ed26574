"""Spectral bias (SPEC §8b): kernel gradient descent, finite-width networks, empirical NTK, CLI, derivation.

Sizes are tiny (n ≤ 300, widths ≤ 2048 with a few points); the full-size experiment is the derivation's
``quick=False`` run.
"""

import copy
import json

import numpy as np
import pytest
import sympy as sp

import symkernel as sk
from symkernel import dynamics as dy
from symkernel.errors import ParameterError

CAO = sk.fc(1, "ntk", layer_weights=(sp.Rational(1, 2), 1))


# ------------------------------------------------------------------------------------ kernel dynamics
def test_closed_form_equals_iteration():
    X = dy.sample_sphere(80, 5, seed=1)
    tgt = dy.zonal_target(X, (1, 2, 4), seed=2)
    G = dy.kernel_gram(CAO, X)
    eta = 1.5 / np.linalg.eigvalsh(G / 80)[-1]
    it = dy.kernel_gd_iterate(G, -tgt.values, eta, 300)
    cf = dy.kernel_gd(G, -tgt.values, eta, np.arange(301))
    assert np.max(np.abs(it - cf)) < 1e-10
    # and against an explicit matrix power
    M = np.eye(80) - eta * G / 80
    r37 = np.linalg.matrix_power(M, 37) @ (-tgt.values)
    assert np.max(np.abs(cf[37] - r37)) < 1e-10


def test_gram_matches_kernel_values():
    X = dy.sample_sphere(10, 4, seed=0)
    G = dy.kernel_gram(CAO, X)
    i, j = 2, 7
    assert G[i, j] == pytest.approx(float(CAO(float(X[i] @ X[j]), dps=20)), rel=1e-12)
    assert np.allclose(np.diag(G), 1.5)


def test_zonal_target_and_projections():
    X = dy.sample_sphere(600, 5, seed=3)
    tgt = dy.zonal_target(X, (1, 2), seed=4)
    assert tgt.components.shape == (2, 600)
    # P_1(s) = s, P_2(s) = (d s^2 - 1)/(d - 1) on S^{d-1}
    s = X @ tgt.xi
    assert np.allclose(tgt.components[0], s)
    assert np.allclose(tgt.components[1], (5 * s**2 - 1) / 4)
    # residual -y: relative coefficient 1 on each degree (exactly for the orthogonalised one)
    rho = dy.target_coefficients(-tgt.values, tgt, order=(1, 2))
    assert rho[1] == pytest.approx(1.0, abs=1e-12)
    assert rho[0] == pytest.approx(1.0, abs=0.1)
    # ||Pi_k P_k(<xi,.>)|| = 1/sqrt(N(d,k)); the U-statistic resolves k = 1, 2 at n = 600
    norms = dy.harmonic_norms(tgt.values, X, (1, 2, 3))
    assert norms[0] == pytest.approx(1 / np.sqrt(5), rel=0.15)
    assert norms[1] == pytest.approx(1 / np.sqrt(14), rel=0.15)
    assert norms[2] < 0.1


def test_measure_rate_and_gram_blocks():
    t = np.arange(0, 200, 7)
    assert dy.measure_rate(t, (1 - 0.3 * 0.01) ** t, eta=0.3) == pytest.approx(0.01, rel=1e-10)
    assert dy.measure_rate(t, 0.9 * (1 - 0.3 * 0.01) ** t, eta=0.3) == pytest.approx(0.01, rel=1e-10)
    # blocks of sizes N(3, k) = 1, 3, 5 taken in decreasing mu order (mu_2 > mu_1 here)
    lam = np.array([10.0] + [5.0] * 5 + [2.0] * 3 + [0.1] * 3)
    got = dy.gram_degree_eigenvalues(lam, 3, mu=[9.0, 1.0, 4.0], degrees=[0, 1, 2])
    assert got.tolist() == [10.0, 2.0, 5.0]
    assert np.isnan(dy.gram_degree_eigenvalues(lam[:7], 3, [9.0, 1.0, 4.0], [1])[0])


def test_kernel_learns_degrees_in_order_of_eigenvalues():
    res = dy.spectral_bias(CAO, dim=5, n=300, width=0, steps=3000, degrees=(4, 1, 2), ntk_widths=None)
    assert res.order(res.mu) == [1, 2, 4]
    assert res.orders_agree() == {"kernel": True}
    rates = dict(zip(res.degrees, res.kernel_run.rates))
    mu = dict(zip(res.degrees, res.mu))
    # resolved degrees (N(5,k) = 5, 14 << 300) follow the Funk-Hecke eigenvalue
    assert rates[1] == pytest.approx(mu[1], rel=0.1)
    assert rates[2] == pytest.approx(mu[2], rel=0.1)
    # the kernel prediction itself: mu_1 = 3/(4d) for Cao's kernel
    assert mu[1] == pytest.approx(3 / 20, rel=1e-12)
    # prediction arrays
    pred = res.predicted([0, 10])
    assert np.allclose(pred[1], (1 - res.eta * res.mu) ** 10)


# ---------------------------------------------------------------------------------------- networks
def test_network_gradient_and_ntk_by_finite_differences():
    net = dy.ReLUNetwork(4, 6, depth=2, layer_weights=[1.0, 1.0, 1.0], seed=5)
    X = dy.sample_sphere(5, 4, seed=6)
    y = np.linspace(-1, 1, 5)
    h = 1e-6

    def loss(m):
        return 0.5 * np.mean((m(X) - y) ** 2)

    zs, f = net._forward(X)
    for layer, idx in ((0, (1, 2)), (1, (3, 4))):
        plus, minus = copy.deepcopy(net), copy.deepcopy(net)
        plus.W[layer][idx] += h
        minus.W[layer][idx] -= h
        numeric = (loss(plus) - loss(minus)) / (2 * h)
        step = copy.deepcopy(net)
        step.gradient_step(X, (f - y) / 5, zs, 1.0)
        assert net.W[layer][idx] - step.W[layer][idx] == pytest.approx(numeric, rel=1e-5, abs=1e-10)
    # NTK = J J^T with a finite-difference Jacobian
    cols = []
    for p in (*net.W, net.v):
        flat = p.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            fp = net(X)
            flat[i] = old - h
            fm = net(X)
            flat[i] = old
            cols.append((fp - fm) / (2 * h))
    J = np.array(cols).T
    assert np.allclose(net.ntk(X), J @ J.T, atol=1e-7)


def test_layer_weights_scale_the_learning_rate():
    X = dy.sample_sphere(6, 3, seed=0)
    net = dy.ReLUNetwork(3, 8, depth=1, layer_weights=[0.0, 1.0], seed=1)
    W0 = net.W[0].copy()
    net.train(X, np.ones(6), eta=0.1, steps=3)
    assert np.array_equal(net.W[0], W0)  # frozen first layer
    with pytest.raises(ParameterError, match="layer_weights"):
        dy.ReLUNetwork(3, 8, depth=1, layer_weights=[1.0])


@pytest.mark.parametrize("K, n, width", [(CAO, 200, 400), (sk.fc(2, "ntk"), 150, 256)])
def test_network_learns_degrees_in_order_of_eigenvalues(K, n, width):
    res = dy.spectral_bias(K, dim=5, n=n, width=width, steps=600, degrees=(1, 2, 4), ntk_widths=None,
                           seed=1)
    assert res.orders_agree() == {"kernel": True, "network": True}
    ratio = res.network_run.rates / res.kernel_run.rates
    assert np.all(np.abs(ratio - 1) < 0.35), ratio
    # centred network: the residual starts at -y
    assert np.allclose(res.network_run.rho[0], res.kernel_run.rho[0])


@pytest.mark.parametrize("K, widths, seeds, tol", [
    (CAO, (32, 64, 128, 256, 512, 1024, 2048), 16, 0.1),
    (sk.fc(2, "ntk"), (32, 64, 128, 256, 512, 1024), 12, 0.12),
])
def test_empirical_ntk_error_shrinks_like_inverse_sqrt_width(K, widths, seeds, tol):
    # one hidden layer: the empirical NTK is a mean of m i.i.d. terms, E error^2 = C/m exactly
    c = dy.empirical_ntk_convergence(K, dim=6, widths=widths, n_points=16, n_seeds=seeds, seed=2)
    assert c.errors[-1] < c.errors[0] / 3
    assert abs(c.slope + 0.5) < tol, (c.slope, c.errors)


def test_network_spec_rejects_other_kernels():
    assert dy.network_spec(CAO)[0] == 1
    assert dy.network_spec(CAO)[1].tolist() == [0.5, 1.0]
    for K, name in ((sk.fc(1, "nngp"), "kind"), (sk.fc(1, "ntk", bias=1), "bias"),
                    (sk.fc(1, "ntk", normalize=True), "normalize"), (sk.laplace(1), "arch")):
        with pytest.raises(ParameterError, match=name):
            dy.network_spec(K)


def test_bad_parameters():
    with pytest.raises(ParameterError, match="degrees"):
        dy.zonal_target(dy.sample_sphere(5, 3, seed=0), degrees=(1, 1))
    with pytest.raises(ParameterError, match="X"):
        dy.kernel_gram(CAO, np.ones((3, 3)))
    with pytest.raises(ParameterError, match="width"):
        dy.spectral_bias(sk.fc(3, "ntk"), n=5000, width=50_000, steps=10_000, ntk_widths=None)
    with pytest.raises(ParameterError, match="widths"):
        dy.empirical_ntk_convergence(CAO, 3, widths=(16,))


# --------------------------------------------------------------------------------------------- CLI
def _main(argv, monkeypatch):
    from symkernel import cli, cli_dynamics

    original = cli._extensions
    regs = original()
    if cli_dynamics.register not in regs:
        monkeypatch.setattr(cli, "_extensions", lambda: [*regs, cli_dynamics.register])
    return cli.main(argv)


SMALL = ["dynamics", "--depth", "1", "--layer-weights", "1/2,1", "--dim", "5", "--n", "120", "--width", "200",
         "--steps", "300", "--degrees", "1,2", "--ntk-widths", "32,64,128", "--quiet"]


def test_cli_json_and_plot(monkeypatch, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "bias.png"
    assert _main([*SMALL, "--json", "--plot", str(plot)], monkeypatch) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["degrees"] == [1, 2] and out["multiplicities"] == [5, 14]
    assert out["order_mu"] == out["order_kernel"] == out["order_network"] == [1, 2]
    assert all(isinstance(v, str) for v in out["mu"] + out["rate_kernel"] + out["rate_network"])
    assert float(out["mu"][0]) == pytest.approx(3 / 20)
    assert -0.8 < float(out["ntk"]["slope"]) < -0.2
    assert plot.exists() and plot.stat().st_size > 1000 and out["plot"] == str(plot)


def test_cli_text(monkeypatch, capsys):
    assert _main(SMALL, monkeypatch) == 0
    text = capsys.readouterr().out
    assert "mu_k" in text and "network" in text and "agree" in text and "slope" in text


@pytest.mark.parametrize("extra, name", [
    (["--n", "5"], "n"),
    (["--degrees", "1,x"], "degrees"),
    (["--degrees", "1,1"], "degrees"),
    (["--eta", "-1"], "eta"),
    (["--kind", "nngp"], "kind"),
    (["--arch", "laplace"], "arch"),
    (["--bias", "1/2"], "bias"),
    (["--ntk-widths", "64"], "ntk-widths"),
    (["--dim", "1"], "dim"),
    (["--depth", "3", "--layer-weights", "1,1,1,1", "--n", "5000", "--width", "50000"], "width"),
])
def test_cli_errors(monkeypatch, capsys, extra, name):
    assert _main([*SMALL, *extra], monkeypatch) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"invalid {name}=" in err[0]


# ------------------------------------------------------------------------------------- derivation
def test_derivation_quick_run_passes(tmp_path):
    pytest.importorskip("matplotlib")
    from symkernel import derivations

    mod = derivations.get("spectral-bias")
    report = mod.run(quick=True, outdir=str(tmp_path))
    assert report.passed, report.text()
    assert len(report.figures) == 2 and all((tmp_path / f.split("/")[-1]).exists() for f in report.figures)
    assert r"\mu_1 = \frac{3}{40}" in report.latex
    assert report.table[0][0] == "model" and len(report.table) == 7
    import re

    assert not re.search(r"\bnan\b", report.text(), re.IGNORECASE)  # tests/test_derivation_reports.py
