/*
 * amspares' optional compiled fast path for catalogue CSV files (plain C99, no Python
 * headers; loaded with ctypes by amspares/portfolio/native.py).
 *
 * It does the byte work of amspares.portfolio.csv, nothing else: no model arithmetic and
 * no rules. Every function here has a numpy twin in csv.py that defines the result; the
 * tests (tests/test_native_csv.py) compare the two byte for byte, and without this library
 * (no C compiler when amspares was installed, or AMSPARES_NATIVE=0) csv.py uses its twin.
 *
 *   amspares_decimals   the decimals of each number as _decimals() gives them
 *   amspares_write_rows CSV rows from number columns and text-byte matrices, numbers in
 *                       the rule of _number_words()
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

EXPORT int32_t amspares_abi(void) { return 1; }

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
 * For each value: the decimals d (0..17) of _decimals(|v|) for 1e-6 <= |v| < 1e15,
 * 0 for zero, and codes: -1 within NEAR_ULPS of a power of ten (the caller takes the
 * floor of log10 from numpy), -2 outside the plain range or infinite (the caller writes
 * these with Python's repr), -3 NaN (an empty field). counts[0] = how many -1,
 * counts[1] = how many -2.
 */
EXPORT void amspares_decimals(const double *v, int64_t n, int32_t sig, int8_t *d, int64_t *counts) {
    int64_t near = 0, special = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = v[i];
        double a = fabs(x);
        if (x != x) { d[i] = -3; continue; }
        if (a == 0.0) { d[i] = 0; continue; }
        if (!(a >= 1e-6 && a < 1e15)) { d[i] = -2; special++; continue; }
        uint64_t bits;
        memcpy(&bits, &a, 8);
        int64_t e2 = (int64_t)(bits >> 52) - 1023;          /* -20 .. 49 here */
        int64_t k = floor_div(e2 * 78913, 1 << 18);        /* floor(log10(2**e2)) */
        double b = P10J[k + 1 + 6];                        /* 10**(k + 1) */
        uint64_t bb;
        memcpy(&bb, &b, 8);
        int64_t dist = (int64_t)bits - (int64_t)bb;
        if (dist + NEAR_ULPS >= 0 && dist + NEAR_ULPS <= 2 * NEAR_ULPS) { d[i] = -1; near++; continue; }
        d[i] = (int8_t)clip17(sig - 1 - (a >= b ? k + 1 : k));
    }
    counts[0] = near;
    counts[1] = special;
}

/* v < 10**8 as 8 ASCII digits, the first in the lowest byte (SWAR: 4-digit halves in the
 * two 32-bit lanes, then 2-digit quarters, then digits; each division by multiply-shift) */
static inline __attribute__((always_inline)) uint64_t digits8(uint32_t v) {
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
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
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

/* the 16 characters (lo byte first) of the string (w0, w1) from offset o on, '\0' beyond */
static void from_offset(uint64_t w0, uint64_t w1, int o, uint64_t *r0, uint64_t *r1) {
    if (o == 0) { *r0 = w0; *r1 = w1; }
    else if (o < 8) { *r0 = (w0 >> (8 * o)) | (w1 << (64 - 8 * o)); *r1 = w1 >> (8 * o); }
    else if (o == 8) { *r0 = w1; *r1 = 0; }
    else { *r0 = w1 >> (8 * (o - 8)); *r1 = 0; }
}

static void store16(char *p, uint64_t r0, uint64_t r1) {
    memcpy(p, &r0, 8);
    memcpy(p + 8, &r1, 8);
}

#define TWO52 4503599627370496.0                     /* 2**52 */

/* One number (d >= 0) as _number_words writes it: m = rint(|x| * 10**d), the whole part
 * m // 10**d, then "." and the d digits of m % 10**d without trailing zeros (none if 0).
 * |x| * 10**d < 1e15 < 2**52 (d keeps m to 12 digits), so rint is (y + 2**52) - 2**52,
 * ties to even as np.rint. m < 10**16 is written once as 16 digits S (leading zeros);
 * the whole part is S's last nd - d characters of its nd digits, the fraction its last d
 * characters (m // 10**d and m % 10**d, exact), trailing zeros dropped.
 * Writes up to 40 bytes from p (the caller leaves room); returns the end of the number. */
static char *put_number(char *p, double x, int d) {
    double a = fabs(x);
    if (a == 0.0) { *p++ = '0'; return p; }
    double y = a * P10[d];                           /* rounded, as numpy's a * scale */
    double mf = (y + TWO52) - TWO52;
    uint64_t m = (uint64_t)(int64_t)mf;              /* 0 < m < 2**53 < 10**16 */
    *p = '-';
    p += (x < 0);
    uint64_t hi = m / 100000000u;
    uint64_t w0 = digits8((uint32_t)hi), w1 = digits8((uint32_t)(m - hi * 100000000u));
    uint64_t r0, r1;
    int nd = decimal_digits(m);
    int whole = nd - d;                              /* digits of the whole part */
    if (whole > 0) {
        from_offset(w0, w1, 16 - nd, &r0, &r1);
        store16(p, r0, r1);
        p += whole;
    } else {
        *p++ = '0';
    }
    int end = significant(w0, w1);                   /* after S's last non-'0' character */
    if (d > 16) {                                    /* d = 17: m < 10**12, a "0" first */
        *p = '.';
        p[1] = '0';
        store16(p + 2, w0, w1);
        return p + 2 + end;
    }
    if (end > 16 - d) {                              /* a fraction that is not 0 */
        *p++ = '.';
        from_offset(w0, w1, 16 - d, &r0, &r1);
        store16(p, r0, r1);
        p += end - (16 - d);
    }
    return p;
}

/* A field of every row: kind 0 numbers (data: double[n], dec: the decimals of
 * amspares_decimals with no -1/-2 left), kind 1 text bytes (data: uint8[n][width], the
 * non-zero bytes in order are the field). lead: a byte written before the field (0: none). */
typedef struct {
    int32_t kind;
    int32_t lead;
    const void *data;
    int64_t width;
    const int8_t *dec;
} amspares_field;

/* The rows one after another, each field after its lead byte, `end` (0: none) after the
 * last field of each row. Returns the number of bytes written, -1 if cap is too small. */
EXPORT int64_t amspares_write_rows(int64_t nrows, int64_t nfields, const amspares_field *fields, int32_t end,
                                   char *out, int64_t cap) {
    char *p = out;
    char *limit = out + cap;
    for (int64_t r = 0; r < nrows; r++) {
        for (int64_t j = 0; j < nfields; j++) {
            const amspares_field *f = &fields[j];
            int64_t need = (f->kind == 0 ? NUMBER_ROOM : 1 + f->width) + 1;
            if (limit - p < need) return -1;
            if (f->lead) *p++ = (char)f->lead;
            if (f->kind == 0) {
                int d = f->dec[r];
                if (d >= 0) p = put_number(p, ((const double *)f->data)[r], d);
            } else {
                const uint8_t *s = (const uint8_t *)f->data + r * f->width;
                int64_t w = f->width;
                const uint8_t *z = memchr(s, 0, (size_t)w);
                if (z == NULL) { memcpy(p, s, (size_t)w); p += w; continue; }
                int64_t len = z - s, k = len;
                while (k < w && s[k] == 0) k++;
                memcpy(p, s, (size_t)len);
                p += len;
                for (; k < w; k++) {                 /* a 0 inside the text: dropped */
                    uint8_t c = s[k];
                    *p = (char)c;
                    p += (c != 0);
                }
            }
        }
        if (end) *p++ = (char)end;
    }
    return (int64_t)(p - out);
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
