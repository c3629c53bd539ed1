rem exhunt test sample: a near miss, a developer dumping the IIS worker
procdump64.exe -accepteula -ma w3wp.exe C:\dumps\w3wp.dmp
Get-Process lsass | Select-Object Id
