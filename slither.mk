# slither.mk: build Slither's static interpreter from a site's own (GNU) Makefile.
#
#   SLITHER_DIR  := /path/to/slither-checkout     # defaults to the directory of this file
#   SLITHER_VARS := MODULES= NAME=mypython BUILD_DIR=$(CURDIR)/build-py PREFIX=$(PREFIX)
#   include $(SLITHER_DIR)/slither.mk
#   all: slither                 # builds BUILD_DIR/bin/NAME
#   install: slither-install     # installs into PREFIX (give it in SLITHER_VARS)
#   clean: slither-clean
#
# Each target runs scons in SLITHER_DIR with SLITHER_VARS; they are phony because scons, not
# make, knows what is up to date. Relative paths in SLITHER_VARS are taken from SLITHER_DIR,
# so give BUILD_DIR, PREFIX, FREEZE_PATHS and the like as absolute paths ($(CURDIR)/...).
#
# make's own options are passed on (GNU make 4.x, which lists them in $(MAKEFLAGS)):
#   -n     scons -n: a dry run that prints the steps it would run and builds nothing
#   -q     scons -q: exit status 0 only when the binary is up to date
#   -s     scons -Q: no "Reading SConscript files" chatter (steps and summary stay)
#   -k     scons -k: keep going after a failed step
#   -t     nothing runs: a phony target has nothing to touch
#   -jN    JOBS=N, unless SLITHER_VARS sets JOBS; without -j Slither uses every core
#   V=1    VERBOSE=1, unless SLITHER_VARS sets VERBOSE
#
# Why JOBS=N and not `scons -jN`: Slither's steps form a chain (CPython, then freeze, then
# link) and scons runs one at a time; the parallel work is the make inside the CPython step,
# and JOBS is its job count. `scons -jN` would add nothing but a second pool of jobs competing
# for the same cores. The inner make does not join this make's jobserver (scons gives its
# commands a clean environment), so other targets of a `make -jN` running at the same time
# can load the machine beyond N.
#
# The recipe lines carry `+`, so that make runs them even under -n, -q and -t: scons then
# gets -n or -q and does the dry run or the question itself, instead of make printing one
# scons command that says nothing about what would be built.

ifndef SLITHER_DIR
# Immediate (:=): MAKEFILE_LIST ends with this file only while it is being read.
SLITHER_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
endif
SLITHER_SCONS ?= python3 -m SCons
SLITHER_VARS ?=

# Deferred (=) on purpose: $(MAKEFLAGS) is complete only when the recipe runs.
# Its first word holds make's single-letter options ("ns" for -n -s), unless none are set.
slither_make_letters = $(filter-out -% %=%,$(firstword $(MAKEFLAGS)))
slither_make_has = $(findstring $(1),$(slither_make_letters))
# -jN appears as -jN (with --jobserver-auth=... beside it); a bare -j (no limit) gives nothing.
slither_make_jobs = $(patsubst -j%,%,$(lastword $(filter -j%,$(MAKEFLAGS))))

slither_scons_options = $(if $(call slither_make_has,n),-n) $(if $(call slither_make_has,q),-q) \
    $(if $(call slither_make_has,s),-Q) $(if $(call slither_make_has,k),-k)
slither_jobs_variable = $(if $(filter JOBS=%,$(SLITHER_VARS)),,$(if $(slither_make_jobs),JOBS=$(slither_make_jobs)))
slither_verbose_variable = $(if $(filter VERBOSE=%,$(SLITHER_VARS)),,$(if $(filter 1,$(V)),VERBOSE=1))
slither_variables = $(SLITHER_VARS) $(slither_jobs_variable) $(slither_verbose_variable)

# $(call slither_run,scons arguments): the recipe line, or a no-op under make -t.
slither_run = $(if $(call slither_make_has,t),: make -t: nothing to touch for scons, \
    cd "$(SLITHER_DIR)" && $(SLITHER_SCONS) $(strip $(slither_scons_options) $(1) $(slither_variables)))

.PHONY: slither slither-install slither-clean

slither:
	+$(call slither_run,)

slither-install:
	+$(call slither_run,install)

slither-clean:
	+$(call slither_run,-c)
