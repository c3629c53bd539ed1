# --version names the program, the library and the JSON schema version.
"$EXHUNT" --version
