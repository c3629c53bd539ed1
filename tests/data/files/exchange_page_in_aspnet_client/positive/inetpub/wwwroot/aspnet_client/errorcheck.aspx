<%@ Page Language="C#" %><!-- exhunt test sample: an inert page where no page belongs -->
