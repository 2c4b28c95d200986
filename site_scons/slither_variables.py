"""Build variables shown under the names users type.

SCons reserves TARGET and SOURCES as construction variables, so those two are stored under
other keys (TARGET_PROFILE, SOURCE_DIRS) and accepted, and listed by `scons -h`, under their
public names.
"""

from SCons.Variables import Variables


class PublicNameVariables(Variables):
    def FormatVariableHelpText(self, env, key, help, default, actual, aliases=None):
        public = aliases[0] if aliases else key
        return self.fmt % (public, help, default, actual)
