<%@ Page Language="C#" %>
<%-- exhunt test sample (near miss): names the PST magic !BDN in text, not at offset 0 --%>
