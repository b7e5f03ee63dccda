# Medians and paired ratios of bench/point-reads/q1.sh lines.txt (one argument).
import re,sys,statistics as st
rows={}
for l in open(sys.argv[1]):
    m=re.match(r'(\d+) (\w+) (\w+) (Q[1L]@\d+) rps=([\d.]+) p50=([\d.]+) p99=([\d.]+) cpu=([\d.]+)',l)
    if not m: continue
    r,b,n,q=m.group(1,2,3,4); v=dict(rps=float(m[5]),p50=float(m[6]),p99=float(m[7]),cpu=float(m[8]))
    rows[(int(r),b,n,q)]=v
rounds=sorted({k[0] for k in rows})
def cell(b,n,q,f):
    xs=[rows[(r,b,n,q)][f] for r in rounds if (r,b,n,q) in rows]
    if not xs: return "n/a",None
    fmt=(lambda x:f"{x:.0f}") if f=="rps" else (lambda x:f"{x:.3f}")
    return f"{fmt(st.median(xs))} [{', '.join(fmt(x) for x in xs)}]", st.median(xs)
def ratios(b,q,f):
    rs=[rows[(r,b,'new',q)][f]/rows[(r,b,'old',q)][f] for r in rounds if (r,b,'new',q) in rows and (r,b,'old',q) in rows]
    return f"{st.median(rs):.2f} [{', '.join(f'{x:.2f}' for x in rs)}]" if rs else "n/a"
for b in ['postgres','sqlite']:
    if not any(k[1]==b for k in rows): continue
    print(f"\n### {b}\n\n| measure | old | new | new/old (median of medians) | new/old per round (paired) | bare handler |\n|---|---|---|---|---|---|")
    for q,f,label in [('Q1@20','rps','Q1 @20 conns, req/s'),('Q1@20','cpu','Q1 @20, server CPU ms/req'),('Q1@20','p50','Q1 @20, p50 ms'),('Q1@20','p99','Q1 @20, p99 ms'),
                      ('Q1@1','rps','Q1 @1 conn, req/s'),('Q1@1','p50','Q1 @1 conn, p50 ms'),('Q1@1','p99','Q1 @1 conn, p99 ms'),('Q1@1','cpu','Q1 @1 conn, server CPU ms/req'),
                      ('QL@20','rps','QL @20 conns, req/s'),('QL@20','cpu','QL @20, server CPU ms/req'),('QL@20','p99','QL @20, p99 ms'),
                      ('QL@1','rps','QL @1 conn, req/s'),('QL@1','p50','QL @1 conn, p50 ms'),('QL@1','p99','QL @1 conn, p99 ms')]:
        o,om=cell(b,'old',q,f); n,nm=cell(b,'new',q,f); ba,_=cell(b,'bare',q,f)
        if om is None and nm is None: continue
        print(f"| {label} | {o} | {n} | {nm/om:.2f} | {ratios(b,q,f)} | {ba} |")
