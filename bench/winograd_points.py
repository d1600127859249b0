#!/usr/bin/python3
"""Winograd F(4x4, 3x3) matrices for a set of interpolation points, and their float32 error.

Derives A^T and G by the Toom-Cook construction and solves for B^T (exact rationals, sympy), then
simulates one 6x6 tile summed over 64 channels in float32 against float64 direct correlation and
prints the mean and worst error relative to the output's magnitude. This is how the points of
core/.../cpu/Winograd4x3.java (0, 1, -1, 2, -1/2, inf) were chosen. `--show` prints the matrices.
Run with Debian's python3 (sympy and numpy): /usr/bin/python3 bench/winograd_points.py
"""
import sympy as sp, numpy as np, itertools, sys
m, r = 4, 3; n = m + r - 1
def matrices(pts):
    pts = [sp.Rational(p) for p in pts]
    AT = sp.zeros(m, n); G = sp.zeros(n, r)
    for j,a in enumerate(pts):
        f = sp.prod([a - b for b in pts if b != a])
        for i in range(m): AT[i,j] = a**i
        for k in range(r): G[j,k] = a**k / f
    AT[m-1, n-1] = 1; G[n-1, r-1] = 1
    BT = sp.Matrix(n, n, lambda i,j: sp.Symbol(f'b{i}_{j}'))
    eqs = []
    for i in range(m):
        for p in range(n):
            for k in range(r):
                eqs.append(sum(AT[i,j]*G[j,k]*BT[j,p] for j in range(n)) - (1 if p == i+k else 0))
    sol = sp.solve(eqs, list(BT), dict=True)
    BT = BT.subs(sol[0])
    return AT, G, BT
def err(pts, C=64, trials=300, seed=0):
    AT, G, BT = [np.array(M.tolist(), dtype=np.float64) for M in matrices(pts)]
    rng = np.random.default_rng(seed); worst = 0; rms = []
    f32 = np.float32
    AT32, G32, BT32 = AT.astype(f32), G.astype(f32), BT.astype(f32)
    for t in range(trials):
        d = rng.standard_normal((C, n, n)); g = rng.standard_normal((C, r, r))
        ref = np.zeros((m, m))
        for i in range(m):
            for j in range(m):
                ref[i,j] = np.sum(d[:, i:i+r, j:j+r] * g)
        d32, g32 = d.astype(f32), g.astype(f32)
        V = np.einsum('ab,cbd,ed->cae', BT32, d32, BT32).astype(f32)
        U = np.einsum('ab,cbd,ed->cae', G32, g32, G32).astype(f32)
        Mm = np.sum(U * V, axis=0, dtype=f32)
        Y = (AT32 @ Mm @ AT32.T).astype(f32)
        rms.append(np.abs(Y - ref).max() / np.abs(ref).max())
    return np.mean(rms), np.max(rms)
for pts in [[0,1,-1,2,-2], [0,1,-1,sp.Rational(1,2),-sp.Rational(1,2)], [0,1,-1,2,-sp.Rational(1,2)], [0,-1,1,sp.Rational(1,2),-2]]:
    AT,G,BT = matrices(pts)
    print(pts, "mean/max rel err %.2e %.2e" % err(pts))
    if '--show' in sys.argv: sp.pprint(AT); sp.pprint(G); sp.pprint(BT)
