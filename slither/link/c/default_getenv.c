static const char *const slither_default_environment[][2] = {
@DEFAULTS@    {NULL, NULL}
};

char *__real_getenv(const char *name);

char *__wrap_getenv(const char *name)
{
    char *value = __real_getenv(name);
    if (value != NULL || name == NULL) {
        return value;
    }
    for (int i = 0; slither_default_environment[i][0] != NULL; i++) {
        if (strcmp(name, slither_default_environment[i][0]) == 0) {
            return (char *)slither_default_environment[i][1];
        }
    }
    return NULL;
}

