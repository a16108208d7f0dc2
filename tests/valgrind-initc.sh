#!/bin/sh
# Stands in for build/initc in `make check-valgrind`: runs the real binary
# (INITC_REAL) under memcheck. Any invalid access, use of uninitialised
# memory or definite leak makes initc exit 99, which no test expects.
# Children are not traced: initc execs the app and steps, and valgrind
# lets an exec'd program run natively.
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
	--trace-children=no "${INITC_REAL:?set INITC_REAL to the initc binary}" "$@"
