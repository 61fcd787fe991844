"""Small CSV files for the `frugal` command's tests (test/cli.test.ts).

Deterministic (seeded); run from the repository root:
    python3 scripts/make-cli-fixtures.py
"""
import math
import random

random.seed(17)
OUT = 'test/fixtures/cli/'


def write(name, header, rows):
    with open(OUT + name, 'w') as f:
        f.write(','.join(header) + '\n')
        for r in rows:
            f.write(','.join('' if v is None else str(v) for v in r) + '\n')


# Binary classification with a categorical column and missing values.
rows = []
for i in range(80):
    age = round(random.uniform(20, 70), 1)
    income = round(random.gauss(50, 15), 2)
    city = random.choice(['north', 'south', 'east'])
    score = 0.08 * (age - 45) + 0.1 * (income - 50) + (1.5 if city == 'north' else -0.5)
    label = 'yes' if score + random.gauss(0, 0.7) > 0 else 'no'
    if i % 11 == 3:
        income = None
    if i % 13 == 5:
        city = None
    rows.append([age, income, city, label])
write('customers.csv', ['age', 'income', 'city', 'bought'], rows)

# The same columns in another order, with an extra column and a city never seen in training.
new_rows = [[r[3], 'x%d' % k, r[2] if k != 2 else 'west', r[0], r[1]] for k, r in enumerate(rows[:12])]
write('customers-reordered.csv', ['bought', 'id', 'city', 'age', 'income'], new_rows)

# Three classes given as integer codes 1/2/3.
rows = []
for i in range(90):
    c = i % 3 + 1
    rows.append([round(random.gauss(c * 2.0, 0.8), 3), round(random.gauss(-c, 0.8), 3), c])
write('codes.csv', ['x1', 'x2', 'grade'], rows)

# Regression: y = 3·a − 2·b + 0.5·[kind = 'B'] + noise.
rows = []
for i in range(80):
    a = round(random.uniform(-2, 2), 3)
    b = round(random.uniform(-2, 2), 3)
    kind = random.choice(['A', 'B'])
    y = 3 * a - 2 * b + (0.5 if kind == 'B' else 0) + random.gauss(0, 0.1)
    rows.append([a, b, kind, round(y, 4)])
write('prices.csv', ['a', 'b', 'kind', 'price'], rows)

# Broken files: a row with one field too many, an unclosed quote.
with open(OUT + 'broken-columns.csv', 'w') as f:
    f.write('a,b,y\n1,2,0\n3,4,1\n5,6,7,1\n7,8,0\n')
with open(OUT + 'broken-quote.csv', 'w') as f:
    f.write('a,b,y\n1,2,0\n"3,4,1\n5,6,0\n')
