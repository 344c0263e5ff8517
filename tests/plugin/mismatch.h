/* mismatch.h - the "header" of mismatch.c: what the cdefs there contradict. */
#ifndef MISMATCH_H
#define MISMATCH_H
struct s { int a; long b; unsigned c : 3; };
typedef struct { char tag; union { int i; double d; }; } tagged_t;
enum e { E_ONE = 1, E_TWO = 2 };
#define WIDTH 80
int f(const char *name, int n);
int g(int (*cb)(void *), ...);
extern double value;
struct incomplete;

#endif
