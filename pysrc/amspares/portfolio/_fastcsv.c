/*
 * amspares' optional compiled fast path for catalogue CSV files (plain C99, no Python
 * headers; loaded with ctypes by amspares/portfolio/native.py).
 *
 * It does the byte work of amspares.portfolio.csv, nothing else: no model arithmetic and
 * no rules. Every function here has a numpy twin in csv.py that defines the result; the
 * tests (tests/test_native_csv.py) compare the two byte for byte, and without this library
 * (no C compiler when amspares was installed, or AMSPARES_NATIVE=0) csv.py uses its twin.
 *
 *   amspares_write_rows CSV rows from number columns, text-byte matrices and choices among
 *                       a few texts; numbers in the rule of _number_words() (decimals as
 *                       _decimals() gives them)
 *   amspares_read_plain the plain decimals among cells, as _short_numbers() and
 *                       _wide_numbers() read them
 *   amspares_split      the cells of a quote-free chunk whose every line has the header's
 *                       number of fields, as _fields_per_line() and _SplitLater cut them
 *   amspares_line_end   where the k-th line of a buffer ends, as _LineBlocks finds it
 *
 * Build: see hatch_build.py (cc -O2 -shared -fPIC -ffp-contract=off). Floating point is
 * IEEE double with round-to-nearest; no FMA contraction, so each step rounds as numpy's.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(_WIN32)
#define EXPORT __declspec(dllexport)
#else
#define EXPORT __attribute__((visibility("default")))
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* The rows are written one by one, each reading one value from every number column: some
 * 30 streams at once, more than the processor's prefetcher follows, so the loads wait for
 * memory. Asking for each column's value PREFETCH_ROWS rows ahead hides much of that wait
 * (a hint: no effect on what is written, and no fault past an array's end; the address is
 * integer arithmetic, no pointer past the array). Measured on a 100k-row chunk, both
 * libraries called in turn in one process: 12-20 % less time. */
#define PREFETCH_ROWS 128
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(addr) __builtin_prefetch(addr)
#else
#define PREFETCH(addr) ((void)0)
#endif

#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GNU_LITTLE_ENDIAN 1
#else
#define GNU_LITTLE_ENDIAN 0
#endif

/* 10**k as exact doubles, k = 0..22 */
static const double P10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const uint64_t P10I[18] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
                                  100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
                                  1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
                                  1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL};

/* 10**j (the nearest double, as float("1e<j>")) for j = -6..16 */
static const double P10J[23] = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4, 1e5,
                                1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};

#define NEAR_ULPS 4600 /* as csv._NEAR_ULPS: 1e-12 relative */
#define NEAR_SPAN (2 * NEAR_ULPS + 1)

EXPORT int32_t amspares_abi(void) { return 2; }

/* Room a number field may take while written (lead, sign, digits, and the 16-byte stores
 * past its end); the caller sizes the output with it (amspares_number_room). */
#define NUMBER_ROOM 48
EXPORT int32_t amspares_number_room(void) { return NUMBER_ROOM; }

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
    return q;
}

static int clip17(int64_t d) { return d < 0 ? 0 : (d > 17 ? 17 : (int)d); }

/*
 * The decimals d = min(max(sig - 1 - floor(log10(a)), 0), 17) of 1e-6 <= a < 1e15 as
 * csv._decimals() gives them: floor(log10(a)) is k or k + 1, k = floor(log10(2**e2)) of the
 * binary exponent e2, k + 1 when a >= 10**(k + 1). Within NEAR_ULPS of that power of ten
 * numpy's log10 decides: near_e[(k + 7) * NEAR_SPAN + NEAR_ULPS + ulps from the power] is
 * floor(np.log10(a)) (a table the caller builds with numpy, csv._near_exponents()).
 */
static inline int decimals_of(double a, int sig, const int8_t *near_e) {
    uint64_t bits, bb;
    memcpy(&bits, &a, 8);
    int64_t e2 = (int64_t)(bits >> 52) - 1023;          /* -20 .. 49 here */
    int64_t k = floor_div(e2 * 78913, 1 << 18);        /* floor(log10(2**e2)) */
    double b = P10J[k + 1 + 6];                        /* 10**(k + 1) */
    memcpy(&bb, &b, 8);
    int64_t dist = (int64_t)bits - (int64_t)bb;
    int64_t e = a >= b ? k + 1 : k;
    if ((uint64_t)(dist + NEAR_ULPS) <= 2 * NEAR_ULPS) e = near_e[(k + 7) * NEAR_SPAN + NEAR_ULPS + dist];
    return clip17(sig - 1 - e);
}

/* v < 10**8 as 8 ASCII digits, the first in the lowest byte (SWAR: 4-digit halves in the
 * two 32-bit lanes, then 2-digit quarters, then digits; each division by multiply-shift) */
static ALWAYS_INLINE uint64_t digits8(uint32_t v) {
    uint64_t x = (uint64_t)(v / 10000u) | ((uint64_t)(v % 10000u) << 32);
    uint64_t y = ((x * 10486u) >> 20) & 0x0000007F0000007FULL;          /* lane / 100 */
    x = ((x - y * 100u) << 16) | y;
    uint64_t z = ((x * 103u) >> 10) & 0x000F000F000F000FULL;            /* lane / 10 */
    x = ((x - z * 10u) << 8) | z;
    return x | 0x3030303030303030ULL;
}

/* the number of decimal digits of m >= 1 */
static int decimal_digits(uint64_t m) {
#if defined(__GNUC__) || defined(__clang__)
    int t = ((64 - __builtin_clzll(m | 1)) * 1233) >> 12;
    return t - (m < P10I[t]) + 1;
#else
    int n = 1;
    while (n < 18 && m >= P10I[n]) n++;
    return n;
#endif
}

/* the index after the last character that is not '0' of the 16 digits (hi, lo) */
static int significant(uint64_t hi, uint64_t lo) {
    uint64_t zl = lo ^ 0x3030303030303030ULL, zh = hi ^ 0x3030303030303030ULL;
#if GNU_LITTLE_ENDIAN
    if (zl) return 16 - (__builtin_clzll(zl) >> 3);
    return zh ? 8 - (__builtin_clzll(zh) >> 3) : 0;
#else
    char s[16];
    memcpy(s, &hi, 8);
    memcpy(s + 8, &lo, 8);
    int n = 16;
    while (n > 0 && s[n - 1] == '0') n--;
    (void)zl; (void)zh;
    return n;
#endif
}

static void store16(char *p, uint64_t r0, uint64_t r1) {
    memcpy(p, &r0, 8);
    memcpy(p + 8, &r1, 8);
}

/* the 16 characters (w0, w1) with a '.' after the first n (1 <= n <= 15), the last dropped */
static inline void insert_dot(uint64_t w0, uint64_t w1, int n, uint64_t *r0, uint64_t *r1) {
    if (n < 8) {
        uint64_t keep = (1ULL << (8 * n)) - 1;
        *r0 = (w0 & keep) | ((uint64_t)'.' << (8 * n)) | ((w0 & ~keep) << 8);
        *r1 = (w1 << 8) | (w0 >> 56);
    } else {
        uint64_t keep = (1ULL << (8 * (n - 8))) - 1;
        *r0 = w0;
        *r1 = (w1 & keep) | ((uint64_t)'.' << (8 * (n - 8))) | ((w1 & ~keep) << 8);
    }
}

#define TWO52 4503599627370496.0                     /* 2**52 */
#define MANTISSA 0x000FFFFFFFFFFFFFULL
static const char ZEROS24[24] = {'0', '.', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0',
                                 '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'};

/* The 16 digits of 10**15 <= ms < 10**16, the first in the lowest byte of w0. */
static inline void digits16(uint64_t ms, uint64_t *w0, uint64_t *w1) {
    uint64_t hi = ms / 100000000u;
    *w0 = digits8((uint32_t)hi);
    *w1 = digits8((uint32_t)(ms - hi * 100000000u));
}

/* A whole number 1 <= m < 10**15 in decimal digits. Writes up to 16 bytes from p. */
static inline char *put_whole(char *p, uint64_t m) {
    if (m < 10) { *p = (char)('0' + m); return p + 1; }
    int nd = decimal_digits(m);
    if (m < 100000000u) {
        uint64_t w = digits8((uint32_t)(m * P10I[8 - nd]));   /* m's first digit first */
        memcpy(p, &w, 8);
        return p + nd;
    }
    uint64_t w0, w1;
    digits16(m * P10I[16 - nd], &w0, &w1);
    store16(p, w0, w1);
    return p + nd;
}

/* m = rint(|x| * 10**d) (nd digits, (w0, w1) its digits first to last, then '0's) written
 * as _number_words writes it (no sign): the first nd - d digits are the whole part
 * (m // 10**d), the others the fraction, after d - nd zeros when nd < d (m % 10**d, exact),
 * trailing zeros dropped; no fraction when it is 0. A fraction after a whole part leaves
 * nd <= 14 (d <= 12 - floor(log10|x|) for sig <= 12 makes m <= 10**13; nd <= sig + 1 for any
 * sig): with the '.' it fits in 16 characters. Writes up to 34 bytes from p. */
static inline char *put_digits(char *p, uint64_t w0, uint64_t w1, int nd, int d) {
    int end = significant(w0, w1);                   /* after the last digit that is not 0 */
    int whole = nd - d;                              /* digits of the whole part */
    if (whole <= 0) {                                /* "0." and d - nd zeros, the digits */
        memcpy(p, ZEROS24, 24);
        store16(p + 2 - whole, w0, w1);
        return p + 2 - whole + end;
    }
    uint64_t r0, r1;                                 /* (the fraction's end is known late: */
    insert_dot(w0, w1, whole > 15 ? 15 : whole, &r0, &r1);   /* select, do not branch) */
    uint64_t frac = 0 - (uint64_t)(end > whole);
    store16(p, (r0 & frac) | (w0 & ~frac), (r1 & frac) | (w1 & ~frac));
    return p + whole + (int)(frac & (uint64_t)(end + 1 - whole));
}

/* One number 1e-6 <= a < 1e15 with d >= 0 decimals (sig <= 15): m = rint(a * 10**d) and
 * put_digits. a * 10**d < 10**sig <= 2**52, so rint is (y + 2**52) - 2**52, ties to even
 * as np.rint; m < 10**16. */
static char *put_decimal(char *p, double a, int d) {
    double y = a * P10[d];                           /* rounded, as numpy's a * scale */
    double mf = (y + TWO52) - TWO52;
    uint64_t m = (uint64_t)(int64_t)mf;              /* 1 <= m < 2**53 < 10**16 */
    int nd = decimal_digits(m);
    uint64_t w0, w1;
    digits16(m * P10I[16 - nd], &w0, &w1);
    return put_digits(p, w0, w1, nd, d);
}

/* What the number writer knows of each binary exponent of 1e-6 <= a < 1e15: the power of
 * ten b = 10**(k + 1) that decides floor(log10(a)) (k, or k + 1 when a >= b; within
 * NEAR_ULPS of b, numpy's log10 decides: decimals_of), and for either the decimals d
 * (clipped to 0..17) and 10**d. */
#define BE_LO 1003                                   /* biased binary exponents: 2**-20 ... */
#define BE_HI 1072                                   /* ... up to 2**49 (1e15 > 2**49) */
typedef struct {
    double b;
    int64_t b_bits;
    double scale[2];
    int32_t d[2];
} exponent_plan;

typedef struct {
    int sig;                                         /* significant digits, 1..15 */
    uint64_t lo, hi;                                 /* 10**(sig - 1), 10**sig */
    uint64_t align;                                  /* 10**(16 - sig) */
    const int8_t *near_e;
    exponent_plan plan[BE_HI - BE_LO + 1];
} number_rule;

static void make_rule(number_rule *c, int sig, const int8_t *near_e) {
    c->sig = sig;
    c->lo = P10I[sig - 1];
    c->hi = P10I[sig];
    c->align = P10I[16 - sig];
    c->near_e = near_e;
    for (int i = 0; i <= BE_HI - BE_LO; i++) {
        exponent_plan *e = &c->plan[i];
        int64_t k = floor_div((int64_t)(BE_LO + i - 1023) * 78913, 1 << 18);   /* as decimals_of */
        e->b = P10J[k + 1 + 6];
        memcpy(&e->b_bits, &e->b, 8);
        for (int up = 0; up < 2; up++) {
            e->d[up] = clip17(sig - 1 - (k + up));
            e->scale[up] = P10[e->d[up]];
        }
    }
}

/* 1e-6 <= a < 1e15, not a whole number, as _number_words writes it. The
 * common case: not near a power of ten, and m of exactly sig digits (d not clipped, no
 * rounding up to 10**sig): m for both candidate decimals at once (floor(log10(a)) is
 * known only after a comparison), the digits of m * 10**(16 - sig). Else put_decimal with
 * the decimals of decimals_of, which are the plan's where not near. */
static inline char *put_fraction(char *p, double a, const number_rule *c) {
    uint64_t bits;
    memcpy(&bits, &a, 8);
    const exponent_plan *e = &c->plan[(bits >> 52) - BE_LO];
    int64_t dist = (int64_t)bits - e->b_bits;
    if ((uint64_t)(dist + NEAR_ULPS) <= 2 * NEAR_ULPS) return put_decimal(p, a, decimals_of(a, c->sig, c->near_e));
    uint64_t up = 0 - (uint64_t)(a >= e->b);         /* all ones: floor(log10(a)) = k + 1 */
    double y0 = a * e->scale[0] + TWO52, y1 = a * e->scale[1] + TWO52;   /* rint: in the mantissa */
    uint64_t u0, u1;
    memcpy(&u0, &y0, 8);
    memcpy(&u1, &y1, 8);
    uint64_t m = ((u0 & ~up) | (u1 & up)) & MANTISSA;
    int d = (int)(((uint64_t)(uint32_t)e->d[0] & ~up) | ((uint64_t)(uint32_t)e->d[1] & up));
    if (m - c->lo >= c->hi - c->lo) return put_decimal(p, a, d);
    uint64_t w0, w1;
    digits16(m * c->align, &w0, &w1);
    return put_digits(p, w0, w1, c->sig, d);
}

/* One number as _number_words writes it: NaN nothing, 0 "0", a whole number its digits
 * (what the rule gives it whatever its decimals: m = |x| * 10**d exactly, no fraction;
 * d = 0 from 10**(sig - 1) on), other numbers in [1e-6, 1e15) by put_fraction; the numbers
 * written with repr (outside that range, infinite) set *repr and write nothing. Up to 35
 * bytes from p. */
static inline char *put_number(char *p, double x, const number_rule *c, int *repr) {
    double a = fabs(x);
    if (!(a < 1e15)) {                               /* NaN, inf, |x| >= 1e15 */
        *repr |= (x == x);
        return p;
    }
    if (a == 0.0) { *p = '0'; return p + 1; }
    double t = a + TWO52;                            /* rint(a) in the mantissa (a < 2**52) */
    *p = '-';
    p += (x < 0);
    if (t - TWO52 == a) {
        uint64_t tb;
        memcpy(&tb, &t, 8);
        return put_whole(p, tb & MANTISSA);
    }
    if (a < 1e-6) { *repr = 1; return p; }
    return put_fraction(p, a, c);
}

/* A text field of width w (the non-zero bytes of s[0..w) in order) from p; returns the end.
 * Fields of up to 16 bytes with no 0 before a byte that is not 0 (the common case) are
 * two 8-byte words: one 16-byte store, the length from the first 0 byte. whole16: s may be
 * read 16 bytes far. */
static ALWAYS_INLINE char *put_text(char *p, const uint8_t *s, int64_t w, int whole16) {
    if (w <= 0) return p;
    if (w <= 16) {
        uint64_t lo, hi;
        if (whole16) {
            memcpy(&lo, s, 8);
            memcpy(&hi, s + 8, 8);
        } else {
            uint8_t t[16] = {0};
            memcpy(t, s, (size_t)w);
            memcpy(&lo, t, 8);
            memcpy(&hi, t + 8, 8);
        }
        if (w < 8) { lo &= (1ULL << (8 * w)) - 1; hi = 0; }
        else if (w < 16) hi &= (1ULL << (8 * (w - 8))) - 1;
        const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
        uint64_t zl = (lo - ones) & ~lo & highs, zh = (hi - ones) & ~hi & highs;   /* lowest: a 0 byte */
        int64_t len = -1;
#if GNU_LITTLE_ENDIAN
        if (zl) {
            int i = __builtin_ctzll(zl) >> 3;
            if ((lo >> (8 * i)) == 0 && hi == 0) len = i;
        } else if (zh) {
            int i = __builtin_ctzll(zh) >> 3;
            if ((hi >> (8 * i)) == 0) len = 8 + i;
        } else {
            len = 16;
        }
#endif
        if (len >= 0) {
            store16(p, lo, hi);
            return p + len;
        }
    }
    const uint8_t *z = memchr(s, 0, (size_t)w);
    if (z == NULL) { memcpy(p, s, (size_t)w); return p + w; }
    int64_t len = z - s, k = len;
    while (k < w && s[k] == 0) k++;
    memcpy(p, s, (size_t)len);
    p += len;
    for (; k < w; k++) {                             /* a 0 inside the text: dropped */
        uint8_t c = s[k];
        *p = (char)c;
        p += (c != 0);
    }
    return p;
}

/* A field of every row: kind 0 numbers (data: double[n]); kind 1 text bytes (data:
 * uint8[n][width], the non-zero bytes in order are the field); kind 2 a choice among
 * `count` texts (data: int64[n], the row's text's index in table: uint8[count][width], the
 * non-zero bytes in order; nothing for an index outside 0..count-1). lead: a byte written
 * before the field (0: none). */
typedef struct {
    int32_t kind;
    int32_t lead;
    const void *data;
    int64_t width;
    const uint8_t *table;
    int64_t count;
} amspares_field;

/* The rows one after another, each field after its lead byte, `end` (0: none) after the
 * last field of each row; numbers with sig (1..15) significant digits, near_e as in
 * decimals_of. A row takes at most the sum of its fields' room (NUMBER_ROOM a number,
 * width + 2 a text or choice: its lead, bytes and end) and every field's stores lie within
 * 48 bytes of its start: cap = nrows * that sum + 64 is enough. Returns the number of bytes
 * written, -1 if cap is too small, -2 if a number field has numbers written with repr:
 * repr[j] = 1 for each such field j (the caller writes those fields itself, as text, and
 * calls again). */
EXPORT int64_t amspares_write_rows(int64_t nrows, int64_t nfields, const amspares_field *fields, int32_t end,
                                   char *out, int64_t cap, int32_t sig, const int8_t *near_e, int8_t *repr) {
    char *p = out;
    char *limit = out + cap;
    int64_t row = 0;
    int any = 0;
    number_rule rule;
    make_rule(&rule, sig, near_e);
    for (int64_t j = 0; j < nfields; j++) {
        repr[j] = 0;
        row += fields[j].kind == 0 ? NUMBER_ROOM : fields[j].width + 2;
    }
    const char tail = (char)end;
    const int has_tail = end != 0;
    for (int64_t r = 0; r < nrows; r++) {
        if (limit - p < row + 64) return -1;
        for (const amspares_field *f = fields; f < fields + nfields; f++) {
            *p = (char)f->lead;
            p += (f->lead != 0);
            if (f->kind == 0) {
                int special = 0;
                PREFETCH((const void *)((uintptr_t)f->data + (uintptr_t)(r + PREFETCH_ROWS) * sizeof(double)));
                p = put_number(p, ((const double *)f->data)[r], &rule, &special);
                if (special) { repr[f - fields] = 1; any = 1; }
            } else if (f->kind == 1) {
                int64_t w = f->width;
                p = put_text(p, (const uint8_t *)f->data + r * w, w, r * w + 16 <= nrows * w);
            } else {
                int64_t i = ((const int64_t *)f->data)[r], w = f->width;
                if (i >= 0 && i < f->count) p = put_text(p, f->table + i * w, w, i * w + 16 <= f->count * w);
            }
        }
        *p = tail;
        p += has_tail;
    }
    return any ? -2 : (int64_t)(p - out);
}

/*
 * Cells that are plain decimals: an optional leading sign (+ or -), 1 to 15 digits, at
 * most one decimal mark `mark`, at most 17 bytes. Such a cell's value is m / 10**k (m the
 * digits as an exact integer, k the digits after the mark): one correctly rounded division
 * of two exact doubles, which is what Python's float() returns; negated after a '-'.
 * fast[i] = 1 for these cells (values[i] set), 0 for every other cell (values[i] untouched).
 * Returns how many cells are fast.
 */
EXPORT int64_t amspares_read_plain(const uint8_t *data, const int64_t *starts, const int64_t *lengths, int64_t n,
                                   int32_t mark, double *values, uint8_t *fast) {
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t len = lengths[i];
        fast[i] = 0;
        if (len < 1 || len > 17) continue;
        const uint8_t *s = data + starts[i];
        int64_t j = 0;
        int neg = 0;
        if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; j = 1; }
        uint64_t m = 0;
        int digits = 0, after = 0, marks = 0, ok = 1;
        for (; j < len; j++) {
            uint8_t c = s[j];
            if (c >= '0' && c <= '9') {
                m = m * 10 + (uint64_t)(c - '0');
                digits++;
                after += marks;
            } else if (c == (uint8_t)mark && !marks) {
                marks = 1;
            } else {
                ok = 0;
                break;
            }
        }
        if (!ok || digits < 1 || digits > 15) continue;
        double v = (double)m / P10[after];
        values[i] = neg ? -v : v;
        fast[i] = 1;
        count++;
    }
    return count;
}

/*
 * Cut a chunk of CSV bytes into cells: the byte offsets [starts, ends) of each cell, row
 * after row (width cells a row), when the chunk is plain: no quote, line ends LF or CR LF
 * (no other CR), no empty line, every line `width` fields (width - 1 delimiters); the
 * last line may lack its line end. Returns the number of rows, or -1 when the chunk is
 * not plain (the caller reads it with the csv module). With starts == NULL it only checks.
 */
EXPORT int64_t amspares_split(const uint8_t *data, int64_t n, int32_t delimiter, int64_t width,
                              int64_t *starts, int64_t *ends) {
    int64_t rows = 0, field = 0, start = 0, k = 0;
    const uint8_t delim = (uint8_t)delimiter;
    for (int64_t i = 0; i < n; i++) {
        uint8_t c = data[i];
        if (c == delim) {
            if (++field >= width) return -1;
            if (starts) { starts[k] = start; ends[k] = i; }
            k++;
            start = i + 1;
        } else if (c == '\n' || c == '\r') {
            int64_t end = i;
            if (c == '\r') {
                if (i + 1 >= n || data[i + 1] != '\n') return -1;     /* a lone CR */
                i++;
            }
            if (field != width - 1) return -1;
            if (field == 0 && end == start) return -1;                /* an empty line */
            if (starts) { starts[k] = start; ends[k] = end; }
            k++;
            rows++;
            field = 0;
            start = i + 1;
        } else if (c == '"') {
            return -1;
        }
    }
    if (start < n) {                                                    /* no line end */
        if (field != width - 1) return -1;
        if (starts) { starts[k] = start; ends[k] = n; }
        rows++;
    }
    return rows;
}

/* The offset just after the k-th LF of data[0..n) (k >= 1), or -1 - (the number of LFs)
 * when there are fewer than k. */
EXPORT int64_t amspares_line_end(const uint8_t *data, int64_t n, int64_t k) {
    int64_t found = 0;
    const uint8_t *p = data, *end = data + n;
    while (p < end) {
        const uint8_t *q = memchr(p, '\n', (size_t)(end - p));
        if (q == NULL) break;
        if (++found == k) return (int64_t)(q - data) + 1;
        p = q + 1;
    }
    return -1 - found;
}
