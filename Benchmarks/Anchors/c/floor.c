// The C floor for Benchmarks/compare: what a token hot path cannot undercut with a mutex, namely
// pthread_mutex_lock + clock_gettime + pthread_mutex_unlock per call. Each of THREADS threads makes
// the full count on one shared mutex (so "flat" means the same figure for 1 and 2 threads).
//
//     floor THREADS [realtime|coarse|private] [ITERATIONS] [REPETITIONS]
//     floor pairs [realtime|coarse|private] [ITERATIONS] [REPETITIONS]
//
// `coarse` reads CLOCK_REALTIME_COARSE (a token's expiry is known to the second, so the hot path may
// use it). `private` gives each thread a mutex of its own (CLOCK_REALTIME): the threads share nothing
// they write, so its 2-thread figure over its 1-thread one is this machine's own scaling, the flattest
// any hot path can be here (a VM's two vCPUs do not always run two threads at full speed at once).
// Prints "c.floor.<mode>.<threads><TAB>median<TAB>ns<TAB>samples...", as the Go anchor does.
//
// `pairs` runs 1 thread and 2 threads back to back, REPETITIONS times (alternating which goes first), and
// prints the median of the pairs' 2-thread over 1-thread ratios ("c.floor.<mode>.pairs<TAB>median<TAB>ratio
// <TAB>ratios..."): the two figures of a pair are taken within milliseconds of each other, so the machine's
// speed, which moves between two levels here from one second to the next, is the same for both.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static clockid_t clock_id = CLOCK_REALTIME;
static long iterations = 10000000;
static volatile int64_t sink;
static int64_t expiry = INT64_MAX;
static int private_locks = 0;

static void *worker(void *unused) {
    (void)unused;
    // A thread's own mutex, on a cache line of its own (on its stack, far from the other thread's).
    pthread_mutex_t own = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_t *mutex = private_locks ? &own : &lock;
    int64_t valid = 0;
    for (long index = 0; index < iterations; index++) {
        struct timespec now;
        pthread_mutex_lock(mutex);
        clock_gettime(clock_id, &now);
        valid += now.tv_sec < expiry;
        pthread_mutex_unlock(mutex);
    }
    sink = valid;
    return NULL;
}

static double run(int threads) {
    pthread_t ids[64];
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int thread = 0; thread < threads; thread++) {
        if (pthread_create(&ids[thread], NULL, worker, NULL) != 0) {
            perror("pthread_create");
            exit(1);
        }
    }
    for (int thread = 0; thread < threads; thread++) {
        pthread_join(ids[thread], NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double elapsed = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
    return elapsed / (double)iterations;
}

static int compare(const void *left, const void *right) {
    double a = *(const double *)left, b = *(const double *)right;
    return (a > b) - (a < b);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: floor THREADS|pairs [realtime|coarse|private] [ITERATIONS] [REPETITIONS]\n");
        return 2;
    }
    int pairs = strcmp(argv[1], "pairs") == 0;
    int threads = pairs ? 2 : atoi(argv[1]);
    const char *clock_name = argc > 2 ? argv[2] : "realtime";
    if (argc > 3) iterations = atol(argv[3]);
    int repetitions = argc > 4 ? atoi(argv[4]) : 15;
    if (threads < 1 || threads > 64 || iterations < 1 || repetitions < 1 || repetitions > 1000) {
        fprintf(stderr, "floor: THREADS 1-64, ITERATIONS >= 1, REPETITIONS 1-1000\n");
        return 2;
    }
    if (strcmp(clock_name, "coarse") == 0) {
        clock_id = CLOCK_REALTIME_COARSE;
    } else if (strcmp(clock_name, "private") == 0) {
        private_locks = 1;
    } else if (strcmp(clock_name, "realtime") != 0) {
        fprintf(stderr, "floor: mode must be realtime, coarse or private, not %s\n", clock_name);
        return 2;
    }
    run(threads); // warm-up
    double samples[1000], sorted[1000];
    for (int repetition = 0; repetition < repetitions; repetition++) {
        if (pairs) {
            double one, two;
            if (repetition % 2) {
                two = run(2);
                one = run(1);
            } else {
                one = run(1);
                two = run(2);
            }
            samples[repetition] = two / one;
        } else {
            samples[repetition] = run(threads);
        }
        sorted[repetition] = samples[repetition];
    }
    qsort(sorted, (size_t)repetitions, sizeof(double), compare);
    double median = repetitions % 2 ? sorted[repetitions / 2]
                                    : (sorted[repetitions / 2 - 1] + sorted[repetitions / 2]) / 2;
    if (pairs) {
        printf("c.floor.%s.pairs\t%.3f\tratio\t", clock_name, median);
    } else {
        printf("c.floor.%s.%d\t%.2f\tns\t", clock_name, threads, median);
    }
    for (int repetition = 0; repetition < repetitions; repetition++) {
        printf(pairs ? "%s%.3f" : "%s%.2f", repetition ? " " : "", samples[repetition]);
    }
    printf("\n");
    return 0;
}
