/* dlsym on the program itself (ctypes.pythonapi, ctypes.CDLL(None), numpy.ctypeslib): a static
   executable has no dynamic symbol table, and static glibc's dlsym finds nothing in the main
   program even when one is forced in. The final link therefore wraps dlsym (-Wl,--wrap=dlsym)
   and links, in a second pass, a table of the first pass's global functions and data
   (slither.link.symbol_table): names sorted for a binary search, addresses filled in by the linker.
   In the first pass the table is absent (weak references, all NULL). Nothing here runs
   unless something calls dlsym; a name not in the table goes to the real dlsym, whose error
   (dlerror()) is the one stock CPython reports. */
extern const unsigned int slither_symbol_count __attribute__((weak));
extern const char slither_symbol_names[] __attribute__((weak));
extern const unsigned int slither_symbol_name_offsets[] __attribute__((weak));
extern void *const slither_symbol_addresses[] __attribute__((weak));

static void *slither_symbol_address(const char *name)
{
    if (&slither_symbol_count == NULL || name == NULL) {
        return NULL;
    }
    size_t low = 0, high = slither_symbol_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(name, slither_symbol_names + slither_symbol_name_offsets[middle]);
        if (order == 0) {
            return slither_symbol_addresses[middle];
        }
        if (order < 0) {
            high = middle;
        }
        else {
            low = middle + 1;
        }
    }
    return NULL;
}

void *__real_dlsym(void *handle, const char *name);
void *__real_dlopen(const char *file, int mode);

/* Static musl has no dlopen at all, not even dlopen(NULL) for the program itself, so ctypes
   (whose import makes PyDLL(None)) would not import. The link wraps dlopen too
   (-Wl,--wrap=dlopen): where the real one cannot open the program, this handle stands for it. */
static const char slither_program_marker;

void *__wrap_dlopen(const char *file, int mode)
{
    void *handle = __real_dlopen(file, mode);
    if (handle == NULL && file == NULL) {
        return (void *)&slither_program_marker;
    }
    return handle;
}

/* The handle dlopen(NULL, ...) gives for the program: the one ctypes' PyDLL(None) holds. */
static void *slither_program_handle(void)
{
    static void *program;
    if (program == NULL) {
        program = __wrap_dlopen(NULL, RTLD_LAZY | RTLD_NOLOAD);
    }
    return program;
}

void *__wrap_dlsym(void *handle, const char *name)
{
    if (handle == RTLD_DEFAULT || (handle != RTLD_NEXT && handle == slither_program_handle())) {
        void *address = slither_symbol_address(name);
        if (address != NULL) {
            return address;
        }
        if (handle == (void *)&slither_program_marker) {
            handle = RTLD_DEFAULT;  /* the real dlsym's miss, and its error, for the program */
        }
    }
    return __real_dlsym(handle, name);
}

