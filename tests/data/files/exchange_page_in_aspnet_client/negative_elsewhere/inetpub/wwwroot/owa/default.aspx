<%@ Page Language="C#" %><!-- exhunt test sample: a page outside aspnet_client -->
